import { agentPolicy } from '../gates/contract.js';
import { readTestOutput, type FailingTest } from '../agents/coding/read-test-output.js';
import { runCommand } from '../agents/run-command.js';
import type { EngineContext, TaskState } from './engine-context.js';

const VERIFY_TIMEOUT_MS = 30 * 60 * 1000;
const SHOWN_FAILURES = 10;
const RAW_TAIL_LINES = 20;

/** The verify gate's result for one iteration. */
export interface VerifyResult {
  ok: boolean;
  passed: number | null;
  failed: number | null;
  /** One line for the view: "verify: 3 passed, 1 failed — test/x › adds". */
  summary: string;
  /** For the next prompt: the failing tests and their first lines (or the output's tail). */
  feedback: string;
}

/** The task's `verify` commands, else its agent type's in the contract; none means no gate. */
export function verifyCommands(ctx: EngineContext, state: TaskState): string[][] {
  return state.spec.verify ?? agentPolicy(ctx.contract, state.spec.agentType).verify ?? [];
}

/**
 * Runs each verify command (argv, no shell) in the task's work tree after the agent's iteration.
 * All must pass for the promise to count. Test output (TAP, JUnit, vitest, jest, pytest) is read
 * for counts and failing test names; anything else is fed back as its last lines.
 */
export async function runVerifyGate(ctx: EngineContext, state: TaskState, cwd: string, tell: (line: string) => void): Promise<VerifyResult | null> {
  const commands = verifyCommands(ctx, state);
  if (commands.length === 0) return null;
  let passed: number | null = null;
  let failed: number | null = null;
  const failures: FailingTest[] = [];
  const broken: string[] = [];
  const raw: string[] = [];
  for (const argv of commands) {
    const shown = argv.join(' ');
    tell(`verify: ${shown}`);
    const run = await runCommand({ argv, cwd, timeoutMs: VERIFY_TIMEOUT_MS, signal: ctx.signal, maxOutputChars: 4 * 1024 * 1024, stopGroupOnExit: true });
    const report = readTestOutput(run.output);
    if (report.passed !== null) passed = (passed ?? 0) + report.passed;
    if (report.failed !== null) failed = (failed ?? 0) + report.failed;
    if (run.ok) continue;
    const why = run.failedToStart ? 'could not start' : run.timedOut ? 'timed out' : run.cancelled ? 'stopped' : `exit ${run.exitCode}`;
    broken.push(`${shown} (${why})`);
    if (report.failures.length > 0) failures.push(...report.failures);
    else raw.push(`$ ${shown} (${why})`, ...lastLines(run.output, RAW_TAIL_LINES));
  }
  const counts = passed !== null || failed !== null ? `${passed ?? 0} passed, ${failed ?? 0} failed` : '';
  if (broken.length === 0) return { ok: true, passed, failed, summary: `verify: ${counts || 'passed'}`, feedback: '' };
  const names = failures.map((f) => f.name);
  const named = names.length > 0 ? ` — ${names.slice(0, 3).join(', ')}${names.length > 3 ? `, … (${names.length})` : ''}` : '';
  const summary = `verify: ${counts || `${broken.join(', ')} failed`}${named}`;
  const detail = failures.slice(0, SHOWN_FAILURES).map((f) => `✗ ${f.name}${f.detail ? `\n  ${f.detail.split('\n').join('\n  ')}` : ''}`);
  if (failures.length > SHOWN_FAILURES) detail.push(`… and ${failures.length - SHOWN_FAILURES} more failing test(s)`);
  const feedback = [`${summary} (failed: ${broken.join(', ')})`, ...detail, ...raw].join('\n');
  return { ok: false, passed, failed, summary, feedback };
}

const lastLines = (text: string, n: number): string[] =>
  text
    .replace(/\x1b\[[0-9;]*m/g, '')
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '')
    .slice(-n);
