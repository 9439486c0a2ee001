import { existsSync } from 'node:fs';
import type { TaskWorktree } from '../agents/task-worktree.js';
import { projectConfigPath } from '../workspace/paths.js';
import type { EngineContext, TaskState } from './engine-context.js';

// Issue 23, item 7: with `git.push: true` and `git.remote` in the project file, a coding task's
// branch is pushed after each checkpoint (journaled as the iteration's `push` step: what `status`
// shows), and a task's new worktree starts from its dependencies' pushed branches too, so a
// dependent running on another machine has their work.

const settings = new WeakMap<EngineContext, { remote: string } | null>();

/** The remote the project's task branches go to, or null (no project file, or no `git.push`). */
export async function pushRemote(ctx: EngineContext): Promise<string | null> {
  if (!settings.has(ctx)) {
    let found: { remote: string } | null = null;
    if (existsSync(projectConfigPath(ctx.ws, ctx.project))) {
      const { loadProjectConfig } = await import('../agents/project-config.js');
      const git = loadProjectConfig(ctx.ws, ctx.project).git;
      if (git.push && git.remote) found = { remote: git.remote };
    }
    settings.set(ctx, found);
  }
  return settings.get(ctx)?.remote ?? null;
}

/**
 * The commits a new worktree of the task starts from besides its base: its own branch as pushed
 * (a runner on another machine worked on it before: a takeover goes on from there) and its
 * dependencies' pushed branches.
 */
export async function dependencyTips(ctx: EngineContext, state: TaskState, root: string): Promise<string[]> {
  const remote = await pushRemote(ctx);
  if (!remote) return [];
  const { fetchTaskBranches } = await import('../agents/pushed-work.js');
  const { loopBranch } = await import('../agents/task-worktree.js');
  return fetchTaskBranches(root, remote, [state.spec.id, ...state.spec.dependsOn].map((id) => loopBranch(ctx.project, id)));
}

/** After a checkpoint in the task's worktree: its branch to the remote. A push that fails is said; the work stays here. */
export async function pushCheckpoint(ctx: EngineContext, state: TaskState, n: number, place: TaskWorktree): Promise<void> {
  let remote: string | null = null;
  let pushed;
  try {
    remote = await pushRemote(ctx);
    if (!remote) return;
    const { pushTaskBranch } = await import('../agents/pushed-work.js');
    pushed = await pushTaskBranch(place.repo, remote, place.branch);
  } catch (e) {
    ctx.emitter.emit('warning', { message: `${state.spec.id}: its branch ${place.branch} was not pushed to ${remote ?? 'its remote'} (${(e instanceof Error ? e.message : String(e)).split('\n')[0]}); its work is on this machine only` });
    return;
  }
  // A step of its own: written again after every push of the iteration (a store failure is the run's).
  await ctx.store.beginStep(ctx.project, state.spec.id, n, 'push');
  await ctx.store.endStep(ctx.project, state.spec.id, n, 'push', JSON.stringify(pushed));
}

/** Where the task's work was last pushed (remote, branch, commit), if anywhere. */
export async function pushedWork(ctx: Pick<EngineContext, 'store' | 'project'>, taskId: string): Promise<{ remote: string; branch: string; commit: string } | null> {
  const step = await ctx.store.latestDoneStep(ctx.project, taskId, 'push');
  return step?.result ? (JSON.parse(step.result) as { remote: string; branch: string; commit: string }) : null;
}

