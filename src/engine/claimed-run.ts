import { hostname } from 'node:os';
import { killProcessGroup } from '../agents/run-command.js';
import { FencedWriteError, fenceStore } from '../state/fenced-store.js';
import { startTimeOf } from '../state/process-identity.js';
import { faultPoint } from '../workspace/fault-point.js';
import type { TaskStatus } from '../queue/schema.js';
import { saveTask, type EngineContext, type TaskState } from './engine-context.js';
import type { HeldClaim, RunnerSession } from './runner-session.js';
import { runTask, type TaskOutcome } from './run-task.js';

/** `elsewhere`: another runner holds the task; `lost`: this runner's claim was taken over while it ran. */
export type ClaimedOutcome = TaskOutcome | 'elsewhere' | 'lost';

/**
 * Runs a task as one of several runners: claimed first (a lease), resumed from what the store
 * says of it (another runner may have run part of it), every write fenced by the claim's token,
 * its agents stopped when the claim is lost. With one runner (the project locked) it just runs.
 */
export async function runClaimed(ctx: EngineContext, state: TaskState): Promise<ClaimedOutcome> {
  const runner = ctx.runner;
  if (!runner?.cooperative) return runTask(ctx, state);
  const claim = await runner.claim(state.spec.id);
  if (!claim) return 'elsewhere';
  const fence = { project: ctx.project, taskId: state.spec.id, runnerId: runner.runnerId, token: claim.token };
  const store = fenceStore(ctx.store, fence, () => runner.lose(claim, 'another runner took it over'), { noInterruptedSteps: !claim.interrupted });
  const signal = AbortSignal.any([ctx.signal, claim.controller.signal]);
  // The task's own view of the run: the fenced store and a signal that also stops it when the claim is lost.
  const taskCtx = new Proxy(ctx, { get: (target, key) => (key === 'store' ? store : key === 'signal' ? signal : Reflect.get(target, key)) });
  try {
    await resumeStoredTask(taskCtx, state, claim, runner);
    const outcome = await runTask(taskCtx, state);
    return claim.lost ? 'lost' : outcome;
  } catch (e) {
    if (claim.lost || e instanceof FencedWriteError) return 'lost';
    // A write cut off (the server ended a transaction this runner sat in while paused): lost when the claim is gone.
    if (!(await stillHeld(ctx, fence))) {
      runner.lose(claim, 'another runner took it over');
      return 'lost';
    }
    throw e;
  } finally {
    await runner.release(claim).catch((e: unknown) => ctx.log.warn({ err: String(e), task_id: claim.taskId }, 'could not release the claim (it runs out with its lease)'));
  }
}

async function stillHeld(ctx: EngineContext, fence: { project: string; taskId: string; runnerId: string; token: number }): Promise<boolean> {
  return ctx.store.transaction((tx) => tx.holdsClaim(fence.project, fence.taskId, fence.runnerId, fence.token)).catch(() => true);
}

/**
 * The task as the store has it: its status and iterations (another runner may have run part of
 * it), an iteration a runner that stopped renewing left running marked interrupted (it runs again
 * under its own number, its finished steps kept), and that runner's agents on this host stopped.
 */
async function resumeStoredTask(ctx: EngineContext, state: TaskState, claim: HeldClaim, runner: RunnerSession): Promise<void> {
  const { store, project } = ctx;
  const id = state.spec.id;
  // The claim read the task's row (under its lock), and whether an iteration of it was left running.
  const { row } = claim;
  state.status = row.status as TaskStatus;
  state.iterations = row.iterations;
  state.baseIteration = row.base_iteration;
  state.lastError = row.last_error;
  state.reason = row.reason;
  if (claim.tookOverFrom) {
    // Recorded first: when and from whom this runner took the task over (the fault trial measures a
    // death to it, and tells this runner's writes under its new claim from a paused one's under the old).
    await store.addEvent(project, ctx.runId, id, 'task:taken-over', { from: claim.tookOverFrom, token: claim.token });
    ctx.log.warn({ task_id: id, from: claim.tookOverFrom, token: claim.token }, 'took over a task whose runner stopped renewing its lease');
    ctx.emitter.emit('warning', { message: `${id}: resumed here; runner ${claim.tookOverFrom} stopped renewing its lease` });
    await stopAgentsOf(ctx, claim.tookOverFrom, runner);
  }
  const cut = claim.cutOff ? (await store.runningIterations(project)).filter((it) => it.task_id === id) : [];
  if (cut.length === 0) return;
  // The cut-off iteration runs again under its own number: its end and the task's count go in one
  // commit, so that a runner that resumes after this one dies (before its first iteration) runs that
  // number too, its finished steps kept, and not the next with every step again.
  await store.transaction(async (tx) => {
    for (const it of cut) {
      await tx.endIteration(it.id, { state: 'interrupted', verdict: null, promiseMet: false, error: 'cut off (its runner stopped renewing its lease)', outputTail: it.output_tail });
      await tx.addEvent(project, ctx.runId, id, 'iteration:interrupted', { n: it.n, runner: it.run_id });
    }
    await saveTask(ctx, state, { iterations: Math.min(state.iterations, Math.min(...cut.map((it) => it.n)) - 1) }, tx);
  });
  faultPoint('claim:cut-off-recorded');
}

/** The agent processes a runner that lost its lease left on this host (they would finish a step about to be redone). */
async function stopAgentsOf(ctx: EngineContext, runnerId: string, runner: RunnerSession): Promise<void> {
  const alive = (await runner.liveRunners().catch(() => [])).some((r) => r.runner_id === runnerId);
  const row = (await ctx.store.runners(ctx.project)).find((r) => r.runner_id === runnerId);
  if (alive || !row || row.host !== hostname()) return;
  for (const p of await ctx.store.processes(ctx.project)) {
    if (p.run_id !== runnerId) continue;
    const now = startTimeOf(p.pid);
    if (now !== null && (p.start_time === null || p.start_time === now)) killProcessGroup(p.pid, 500);
    await ctx.store.removeProcess(ctx.project, p.pid);
  }
}
