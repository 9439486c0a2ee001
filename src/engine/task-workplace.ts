import path from 'node:path';
import type { TaskWorktree } from '../agents/task-worktree.js';
import { queueFilePath } from '../workspace/paths.js';
import type { EngineContext, TaskState } from './engine-context.js';
import { saveTask } from './engine-context.js';
import { dependencyTips } from './pushed-branches.js';
import { createStepJournal } from './step-journal.js';

// Where a coding task works (issue 26): in a git repository, a worktree and branch of its own
// (agents/task-worktree.ts); its branch is merged into the base branch when it completes. A task
// whose merge waits is complete with the reason `merge waits: …`; its dependents do not start
// until the merge is done (a later run tries again first).

/** The reason of a completed task whose branch is not merged yet. */
export const MERGE_WAITS = 'merge waits: ';

export const mergeWaits = (state: TaskState | undefined): boolean => state?.status === 'complete' && (state.reason?.startsWith(MERGE_WAITS) ?? false);

const NOT_A_REPO = 'not a git work tree';

type Recorded = { base: string } | { none: string };

const places = new WeakMap<EngineContext, Map<string, TaskWorktree | null>>();
const placesOf = (ctx: EngineContext): Map<string, TaskWorktree | null> => {
  let map = places.get(ctx);
  if (!map) places.set(ctx, (map = new Map()));
  return map;
};

/** Coding agents (those with loop defaults) are isolated; deployments and scripts are not. */
const isCoding = (ctx: EngineContext, state: TaskState): boolean => ctx.registry.has(state.spec.agentType) && ctx.registry.get(state.spec.agentType).loopDefaults !== undefined;

/**
 * The task's worktree, made before its first iteration (the base branch journaled with it, so a
 * resumed run finds the same one); null when the task is not a coding task or the workspace is
 * not a git repository it can isolate (said once). Throws when git fails making it.
 */
export async function openWorkplace(ctx: EngineContext, state: TaskState): Promise<TaskWorktree | null> {
  const known = placesOf(ctx);
  if (known.has(state.spec.id)) return known.get(state.spec.id) ?? null;
  if (!isCoding(ctx, state)) {
    known.set(state.spec.id, null);
    return null;
  }
  const wt = await import('../agents/task-worktree.js');
  const journal = createStepJournal(ctx.store, ctx.project, state.spec.id, state.baseIteration + 1);
  const earlier = await journal.latest<Recorded>('worktree');
  const recorded = await journal.run<Recorded>('worktree', async () => {
    if (earlier && 'base' in earlier) return earlier;
    const opened = await wt.openTaskWorktree(ctx.ws.root, ctx.ws.aibrainDir, ctx.project, state.spec.id, undefined, () => dependencyTips(ctx, state, ctx.ws.root));
    return 'none' in opened ? { none: opened.none } : { base: opened.base };
  });
  if ('none' in recorded) {
    if (recorded.none !== NOT_A_REPO) ctx.emitter.emit('warning', { message: `${state.spec.id}: works in the workspace itself, not a worktree of its own (${recorded.none})` });
    known.set(state.spec.id, null);
    return null;
  }
  // The journal is the store's: on a store several runners share, the worktree it records may have been
  // made on another machine (a takeover). Made here afresh, it starts from the task's pushed work too.
  const opened = await wt.openTaskWorktree(ctx.ws.root, ctx.ws.aibrainDir, ctx.project, state.spec.id, recorded.base, () => dependencyTips(ctx, state, ctx.ws.root));
  if ('none' in opened) throw new Error(`cannot open the task's worktree: ${opened.none}`);
  known.set(state.spec.id, opened);
  return opened;
}

/** The worktree opened for the task in this run, if any. */
export const workplaceOf = (ctx: EngineContext, taskId: string): TaskWorktree | null => placesOf(ctx).get(taskId) ?? null;

/** The loop's own files as they appear inside a worktree (the queue file's committed copy, `.aibrain/`). */
export function ownPathsIn(ctx: EngineContext, place: TaskWorktree): { queue: string; aibrain: string } {
  return {
    queue: path.join(place.dir, path.relative(ctx.ws.root, queueFilePath(ctx.ws, ctx.project))),
    aibrain: path.join(place.dir, path.relative(ctx.ws.root, ctx.ws.aibrainDir)),
  };
}

let merging: Promise<unknown> = Promise.resolve();

/** Merges a completed task's branch (one merge at a time); the reason to save: null, or why it waits. */
export async function mergeCompleted(ctx: EngineContext, place: TaskWorktree, tell: (line: string) => void): Promise<string | null> {
  const { mergeTaskBranch } = await import('../agents/task-worktree.js');
  const run = merging.then(() => mergeTaskBranch(place));
  merging = run.catch(() => undefined);
  let outcome;
  try {
    outcome = await run;
  } catch (e) {
    outcome = { merged: false as const, waits: `git failed merging ${place.branch}: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (outcome.merged) {
    tell(`merged ${place.branch} into ${place.base} (${outcome.how}, ${outcome.commit.slice(0, 12)})`);
    return null;
  }
  return `${MERGE_WAITS}${outcome.waits}`;
}

/** Before a run schedules anything: merges that waited in an earlier run are tried again. */
export async function retryWaitingMerges(ctx: EngineContext): Promise<void> {
  for (const state of ctx.tasks.values()) {
    if (!mergeWaits(state)) continue;
    const recorded = await createStepJournal(ctx.store, ctx.project, state.spec.id, state.baseIteration + 1).latest<Recorded>('worktree');
    if (!recorded || !('base' in recorded)) continue;
    const { describeTaskWorktree } = await import('../agents/task-worktree.js');
    const place = await describeTaskWorktree(ctx.ws.root, ctx.ws.aibrainDir, ctx.project, state.spec.id, recorded.base).catch(() => null);
    if (!place) continue;
    const reason = await mergeCompleted(ctx, place, (line) => ctx.emitter.emit('warning', { message: `${state.spec.id}: ${line}` }));
    if (reason === null) await saveTask(ctx, state, { reason: null });
    else {
      if (reason !== state.reason) await saveTask(ctx, state, { reason });
      ctx.emitter.emit('warning', { message: `${state.spec.id}: ${reason}` });
    }
  }
}
