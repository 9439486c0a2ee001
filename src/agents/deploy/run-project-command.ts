import { InterruptError } from '../../errors.js';
import { runCommand } from '../run-command.js';
import type { CommandName } from '../project-config.js';
import { interpolate } from './command-variables.js';
import { commandEnvironment, type DeployTarget } from './deploy-target.js';

/** What a project command did, small and JSON-serialisable so the step journal can keep it. */
export interface CommandOutcome {
  command: CommandName;
  argv: string[];
  ok: boolean;
  exitCode: number | null;
  timedOut: boolean;
  cancelled: boolean;
  durationMs: number;
  /** The last part of what it printed (stdout and stderr interleaved). */
  output: string;
  /** Standard output alone (tail), for commands whose output is read (migrate status). */
  stdout: string;
}

const KEPT_OUTPUT = 8_000;

/**
 * Runs the environment's `name` command for `version`, in the project folder, never through a
 * shell. A run cut off by the target's signal (Ctrl-C) throws InterruptError: it is no outcome, so
 * the step journal does not keep it as done and no rollback starts from it.
 */
export async function runProjectCommand(
  target: DeployTarget,
  name: CommandName,
  argvTemplate: readonly string[],
  version: string,
  extra: Record<string, string> = {},
): Promise<CommandOutcome> {
  const env = commandEnvironment(target, version, extra);
  const argv = argvTemplate.map((arg) => interpolate(arg, env));
  const timeoutMs = target.section.timeoutsMs[name];
  target.log.info({ command: name, argv, version, environment: target.environment }, `running ${name}`);
  target.progress(`${name}: ${argv.join(' ')}`);
  const result = await runCommand({
    argv,
    cwd: target.config.path,
    env,
    inheritEnv: false,
    timeoutMs,
    signal: target.signal,
    maxOutputChars: 64 * 1024,
  });
  const outcome: CommandOutcome = {
    command: name,
    argv,
    ok: result.ok,
    exitCode: result.exitCode,
    timedOut: result.timedOut,
    cancelled: result.cancelled,
    durationMs: result.durationMs,
    output: result.output.slice(-KEPT_OUTPUT),
    stdout: result.stdout.slice(-KEPT_OUTPUT),
  };
  target.log.info({ command: name, ok: outcome.ok, exitCode: outcome.exitCode, durationMs: outcome.durationMs }, `${name} ${outcome.ok ? 'done' : 'failed'}`);
  if (outcome.cancelled) throw new InterruptError(`${name} (${argv.join(' ')}) was interrupted`);
  return outcome;
}

/** One line saying why a command failed, with the end of its output. */
export function describeFailure(outcome: CommandOutcome): string {
  const how = outcome.timedOut
    ? 'timed out'
    : outcome.cancelled
      ? 'was cancelled'
      : outcome.exitCode === null
        ? 'could not start'
        : `exited with ${outcome.exitCode}`;
  const tail = telltaleLines(outcome.output);
  return `${outcome.command} (${outcome.argv.join(' ')}) ${how}${tail ? `: ${tail}` : ''}`;
}

// The lines that say what went wrong: the first ones naming a failure or an error (test runners
// end with a summary that does not), then the last ones.
function telltaleLines(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  const telltale = lines.filter((l) => /^not ok\b|\berror\b|\bfailed\b|^✖|^FAIL\b/i.test(l) && !/^# (fail|pass|tests)\b/.test(l)).slice(0, 2);
  const shown = [...telltale, ...lines.slice(-3).filter((l) => !telltale.includes(l))];
  return shown.join(' | ').slice(0, 800);
}
