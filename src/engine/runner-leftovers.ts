import { hostname } from 'node:os';
import type { EngineContext } from './engine-context.js';

/**
 * Several runners: the agent processes a starting runner must leave alone — those of runners
 * still alive, and those on other hosts (a pid means nothing here). Undefined with one runner.
 */
export async function runnersAtWork(ctx: EngineContext): Promise<((runId: string) => boolean) | undefined> {
  if (!ctx.runner?.cooperative) return undefined;
  const runners = await ctx.store.runners(ctx.project);
  const keep = new Set(runners.filter((r) => r.alive || r.host !== hostname()).map((r) => r.runner_id));
  return (runId) => keep.has(runId);
}

/** Several runners: the tasks another live runner holds now (their running iterations are not cut off). */
export async function tasksHeldElsewhere(ctx: EngineContext): Promise<Set<string>> {
  if (!ctx.runner?.cooperative) return new Set();
  return new Set((await ctx.store.claims(ctx.project)).filter((c) => c.live && c.runner_id !== ctx.runner?.runnerId).map((c) => c.task_id));
}

/** Several runners: tasks another runner held when it stopped renewing its lease, still to run (a live runner resumes them). */
export async function tasksCutOff(ctx: EngineContext): Promise<string[]> {
  const runner = ctx.runner;
  if (!runner?.cooperative) return [];
  return (await ctx.store.cutOffClaims(ctx.project, runner.runnerId)).map((c) => c.task_id);
}

/** How often a runner looks for tasks cut off: a quarter of the lease, between 0.2 and 1 s (a takeover within lease + 1 s of the death). */
export function rescueIntervalMs(leaseMs: number): number {
  return Math.min(1000, Math.max(200, Math.floor(leaseMs / 4)));
}
