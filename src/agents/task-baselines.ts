import { realpathSync } from 'node:fs';
import path from 'node:path';
import type { IterationContext } from './agent.js';
import { queueFilePath } from '../workspace/paths.js';
import { captureBaseline, revertToBaseline, type GitBaseline } from './git-baseline.js';

/**
 * Where each task's work tree stood before its first iteration: what (R)evert goes back to. Kept
 * as a journaled step, so Revert knows it after a crash too.
 */
export function taskBaselines(): {
  capture(ctx: IterationContext): Promise<void>;
  canRevert(ctx: IterationContext): Promise<boolean>;
  revert(ctx: IterationContext): Promise<string>;
} {
  const baselines = new Map<string, GitBaseline | null>();
  const known = async (ctx: IterationContext): Promise<GitBaseline | null> => baselines.get(ctx.task.id) ?? (await ctx.steps.latest<GitBaseline | null>('git-baseline')) ?? null;
  return {
    async capture(ctx) {
      if ((ctx.attemptIteration ?? 1) === 1) baselines.set(ctx.task.id, await ctx.steps.run('git-baseline', () => captureBaseline(ctx.workDir ?? ctx.workspace.root)));
    },
    canRevert: async (ctx) => Boolean(await known(ctx)),
    async revert(ctx) {
      const baseline = await known(ctx);
      if (!baseline) return 'nothing to revert (the workspace is not a git repository, or the baseline is unknown)';
      // Never the queue file (its statuses are the engine's and the people's) nor .aibrain/.
      const real = (p: string): string => {
        try {
          return realpathSync(p);
        } catch {
          return path.resolve(p);
        }
      };
      // In the task's own worktree, their counterparts there.
      const dir = ctx.workDir ?? ctx.workspace.root;
      const inside = (p: string): string => (ctx.workDir ? path.join(ctx.workDir, path.relative(ctx.workspace.root, p)) : p);
      const aibrain = real(inside(ctx.workspace.aibrainDir)) + path.sep;
      const queue = real(inside(queueFilePath(ctx.workspace, ctx.project)));
      return revertToBaseline(dir, baseline, ctx.task.id, (abs) => abs === queue || `${abs}${path.sep}`.startsWith(aibrain));
    },
  };
}
