import type { Contract } from '../gates/contract.js';
import { agentPolicy } from '../gates/contract.js';
import type { Agent, IterationContext, IterationResult } from './agent.js';
import { captureBaseline, revertToBaseline, type GitBaseline } from './git-baseline.js';
import { runCommand } from './run-command.js';

const DEFAULT_TIMEOUT_SECONDS = 30 * 60;
const MAX_OUTPUT = 8 * 1024 * 1024;
const VERDICT_TAG = /<verdict>\s*(BLOCKED|FAIL)\s*(?::\s*([^<]*))?<\/verdict>/;

/**
 * Runs a command once an iteration: the task's own `command` argv, or the one the contract names
 * for this agent type. The task description goes in as the last argument (or on stdin), never
 * through a shell. Exit 0 is PASS, anything else FAIL; `<verdict>BLOCKED: why</verdict>` in the
 * output is BLOCKED.
 */
export function createCommandAgent(type: string, contract: Contract): Agent {
  const policy = agentPolicy(contract, type);
  const baselines = new Map<string, GitBaseline | null>();
  return {
    type,
    redoSafe: true,
    async canRevert(ctx) {
      return Boolean(baselines.get(ctx.task.id) ?? ctx.steps.latest<GitBaseline | null>('git-baseline'));
    },
    async revert(ctx) {
      // The baseline is in the state store (a journaled step): Revert knows it after a crash too.
      const baseline = baselines.get(ctx.task.id) ?? ctx.steps.latest<GitBaseline | null>('git-baseline');
      if (!baseline) return 'nothing to revert (the workspace is not a git repository, or the baseline is unknown)';
      return revertToBaseline(ctx.workspace.root, baseline);
    },
    async runIteration(ctx: IterationContext): Promise<IterationResult> {
      const { task } = ctx;
      const base = task.command ?? policy.command;
      if (!base || base.length === 0) {
        return { verdict: 'FAIL', output: '', error: `task ${task.id}: no command to run (set "command" in the task, or agents.${type}.command in the contract)` };
      }
      // Where the work tree stood before the task's first iteration: what (R)evert goes back to.
      if ((ctx.attemptIteration ?? 1) === 1) {
        baselines.set(task.id, await ctx.steps.run('git-baseline', () => captureBaseline(ctx.workspace.root)));
      }
      const viaStdin = policy.prompt === 'stdin';
      // A task's own command gets the description on stdin only when it asks for it; the
      // contract's command (a coding CLI) gets it as its prompt argument by default.
      const argv = task.command ? [...base] : viaStdin ? [...base] : [...base, task.description];
      const run = await runCommand({
        argv,
        cwd: ctx.workspace.root,
        env: {
          AUTONOMOUS_LOOP_TASK_ID: task.id,
          AUTONOMOUS_LOOP_ITERATION: String(ctx.iteration),
          AUTONOMOUS_LOOP_PROMISE: task.completionPromise,
          AUTONOMOUS_LOOP_MAX_ITERATIONS: String(task.maxIterations),
          AUTONOMOUS_LOOP_RUN_ID: ctx.runId,
        },
        input: task.command || viaStdin ? task.description : '',
        timeoutMs: (policy.timeout_seconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000,
        signal: ctx.signal,
        maxOutputChars: MAX_OUTPUT,
        onOutput: (line) => {
          if (line.trim()) ctx.progress(line);
        },
        // An iteration ends with its agent: a daemon it started does not outlive it.
        stopGroupOnExit: true,
      });
      if (run.droppedChars > 0) ctx.progress(`output exceeded ${Math.round(MAX_OUTPUT / (1024 * 1024))} MB: the last ${Math.round(MAX_OUTPUT / (1024 * 1024))} MB kept`);
      const blocked = VERDICT_TAG.exec(run.output);
      if (blocked?.[1] === 'BLOCKED') {
        const why = blocked[2]?.trim() || 'the agent reported BLOCKED';
        return { verdict: 'BLOCKED', output: run.output, error: why, findings: [{ rule: 'agent-blocked', severity: 'CRITICAL', message: why }] };
      }
      if (run.ok) return { verdict: 'PASS', output: run.output };
      return { verdict: 'FAIL', output: run.output, error: describeFailure(run), ...(run.failedToStart ? { fatal: true } : {}) };
    },
  };
}

function describeFailure(run: Awaited<ReturnType<typeof runCommand>>): string {
  const cmd = run.argv[0] ?? '';
  if (run.failedToStart && /ENOENT/.test(run.output)) return `${cmd}: not found (not installed, or not on PATH): nothing ran, and no retry would help`;
  if (run.failedToStart) return `${cmd}: could not start (${firstLine(run.output)})`;
  if (run.timedOut) return `${cmd}: timed out after ${Math.round(run.durationMs / 1000)}s (stopped)`;
  if (run.cancelled) return `${cmd}: stopped`;
  const tail = lastLine(run.output);
  const exceeded = run.droppedChars > 0 ? ` (output exceeded ${Math.round(MAX_OUTPUT / (1024 * 1024))} MB; the tail was kept)` : '';
  return `${cmd}: exited with code ${run.exitCode}${exceeded}${tail ? `: ${tail}` : ''}`;
}

const firstLine = (s: string): string => s.trim().split('\n')[0]?.slice(0, 300) ?? '';
const lastLine = (s: string): string => s.trim().split('\n').pop()?.slice(0, 300) ?? '';
