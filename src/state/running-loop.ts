import { hostname } from 'node:os';
import { isProcessAlive } from './is-process-alive.js';
import { isGone } from './store-handles.js';
import type { LockHolder, Store } from './store.js';

/** A lock's holder still runs: on another host (not ours to tell), or here with its pid, boot and start time all its own. */
export function lockHolderLive(held: LockHolder): boolean {
  return held.host !== hostname() || !isGone(held, isProcessAlive);
}

/**
 * Who runs the project now, asked the same way of both stores: the holder of its lock (one loop on
 * one machine, or a rollback), else a live runner (several runners on a shared database take no
 * lock; they register and renew a lease). A process gone on this host runs nothing, whatever its
 * lock or lease still says. `exceptRun`: a run asking about the others (its own lock is not one).
 */
export async function runningLoop(store: Store, project: string, exceptRun?: string): Promise<LockHolder | undefined> {
  const live = (host: string, pid: number): boolean => host !== hostname() || isProcessAlive(pid);
  const held = await store.lockHolder(project);
  if (held && held.run_id !== exceptRun && lockHolderLive(held)) return held;
  const runner = (await store.runners(project)).find((r) => r.alive && !r.stopped && r.runner_id !== exceptRun && live(r.host, r.pid));
  return runner ? { pid: runner.pid, host: runner.host, since: runner.started_at, run_id: runner.runner_id } : undefined;
}
