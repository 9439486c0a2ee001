import type { IterationContext } from '../agent.js';
import { commandVariables, type DeployTarget } from '../deploy/deploy-target.js';
import { loadProjectConfig } from '../project-config.js';
import { provisioningCommands, type ProvisioningCommands } from './provisioning-commands.js';
import { runCommand, type CommandResult } from '../run-command.js';
import { interpolate } from '../deploy/command-variables.js';
import { planDir } from './kept-plan.js';

/** A provisioning task's project, environment and IaC commands. */
export interface ProvisionTarget extends DeployTarget {
  commands: ProvisioningCommands;
  /** Where the task's plans are kept. */
  dir: string;
}

export function prepareProvisionTarget(ctx: IterationContext): ProvisionTarget {
  const config = loadProjectConfig(ctx.workspace, ctx.project);
  const { environment, section, commands } = provisioningCommands(config, ctx.task);
  return {
    project: ctx.project,
    environment,
    workspace: ctx.workspace,
    config,
    section,
    signal: ctx.signal,
    log: ctx.log,
    progress: (line) => ctx.progress(line),
    commands,
    dir: planDir(ctx.workspace, ctx.project, ctx.task.id),
  };
}

/** Runs one of the provisioning commands in the project folder, by argv, with PLAN_FILE/PLAN_JSON set. */
export async function runProvisionCommand(
  t: ProvisionTarget,
  name: 'provision_plan' | 'provision_show' | 'provision_apply' | 'provision_cost',
  argvTemplate: readonly string[],
  files: { planFile: string; planJson: string },
  options: { maxOutputChars?: number; onOutput?: (line: string) => void } = {},
): Promise<CommandResult> {
  const env = commandVariables(t, '', { PLAN_FILE: files.planFile, PLAN_JSON: files.planJson });
  const argv = argvTemplate.map((a) => interpolate(a, env));
  t.log.info({ command: name, argv, environment: t.environment }, `running ${name}`);
  t.progress(`${name}: ${argv.join(' ')}`);
  const result = await runCommand({
    argv,
    cwd: t.config.path,
    env,
    timeoutMs: t.section.timeoutsMs[name],
    signal: t.signal,
    maxOutputChars: options.maxOutputChars ?? 256 * 1024,
    ...(options.onOutput ? { onOutput: options.onOutput } : {}),
  });
  t.log.info({ command: name, ok: result.ok, exitCode: result.exitCode, durationMs: result.durationMs }, `${name} ${result.ok ? 'done' : 'failed'}`);
  return result;
}

/** One line saying how a command failed, with the lines of its output that say why. */
export function describeCommandFailure(name: string, result: CommandResult): string {
  const how = result.timedOut ? 'timed out' : result.failedToStart ? 'could not start (is the program installed and on PATH?)' : `exited with ${result.exitCode}`;
  const errorLines = result.output
    .split('\n')
    .map((l) => l.replace(/^[│╷╵]\s?/, '').trim())
    .filter((l) => /error/i.test(l))
    .slice(0, 3);
  const tail = errorLines.length > 0 ? errorLines.join(' / ') : result.output.trim().split('\n').slice(-2).join(' / ');
  return `${name} (${result.argv.join(' ')}) ${how}${tail ? `: ${tail.slice(0, 400)}` : ''}`;
}
