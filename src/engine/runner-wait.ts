import type { EngineContext } from './engine-context.js';
import { applyStoredDecision, waitsForDecision } from './decision-inbox.js';
import { describeRunnerWait, labelsFit, requiredLabels } from './runner-labels.js';

const WAITING_TO_RUN = new Set(['pending', 'in_progress']);

/**
 * What other runners did meanwhile: every task not running here takes the store's state (and this
 * runner's file its status). A decision for a task waiting here for one is taken as the decision
 * inbox takes it (said on screen, a `task:decided` event); true when one was: the caller lets the
 * tasks that waited this run go again.
 */
export async function adoptStoredStatuses(ctx: EngineContext, runningHere: ReadonlySet<string>): Promise<boolean> {
  const rows = await ctx.store.tasks(ctx.project);
  let decided = false;
  for (const [id, state] of ctx.tasks) {
    const row = rows.get(id);
    if (!row || runningHere.has(id)) continue;
    if (row.status === state.status && row.iterations === state.iterations && row.base_iteration === state.baseIteration) continue;
    if (waitsForDecision(ctx, id) && (await applyStoredDecision(ctx, id, row))) {
      state.iterations = row.iterations;
      decided = true;
      continue;
    }
    state.status = row.status as typeof state.status;
    state.iterations = row.iterations;
    state.baseIteration = row.base_iteration;
    state.lastError = row.last_error;
    state.reason = row.reason;
    ctx.sync.setStatus(id, state.status);
  }
  return decided;
}

/** Tasks whose dependencies are complete and that wait to run. */
function readyTasks(ctx: EngineContext): { id: string; need: string[] }[] {
  const ready: { id: string; need: string[] }[] = [];
  for (const state of ctx.tasks.values()) {
    if (!WAITING_TO_RUN.has(state.status)) continue;
    if (!state.spec.dependsOn.every((d) => ctx.tasks.get(d)?.status === 'complete')) continue;
    ready.push({ id: state.spec.id, need: requiredLabels(state.spec, ctx.contract) });
  }
  return ready;
}

/**
 * Whether this runner should stay for work still going on elsewhere: a claim another runner
 * holds, or a ready task some live runner (this one too) can take. Ready tasks no live runner
 * can take are returned with what they wait for ("waiting for a runner labelled prod").
 */
export async function workElsewhere(ctx: EngineContext): Promise<{ stay: boolean; unplaceable: Map<string, string> }> {
  const runner = ctx.runner;
  const unplaceable = new Map<string, string>();
  if (!runner) return { stay: false, unplaceable };
  const self = { runner_id: runner.runnerId, labels: [...runner.labels] };
  const live: { runner_id: string; labels: string[] }[] = runner.cooperative ? await runner.liveRunners() : [self];
  if (!live.some((r) => r.runner_id === runner.runnerId)) live.push(self);
  let stay = runner.cooperative && (await ctx.store.claims(ctx.project)).some((c) => c.live && c.runner_id !== runner.runnerId);
  for (const { id, need } of readyTasks(ctx)) {
    if (live.some((r) => labelsFit(r.labels, need))) stay ||= runner.cooperative;
    else unplaceable.set(id, describeRunnerWait(need));
  }
  return { stay, unplaceable };
}
