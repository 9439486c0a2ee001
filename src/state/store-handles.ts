import { bootId, startTimeOf } from './process-identity.js';
import type { LockHolder } from './store.js';

let openStores = 0;

/** How many stores this process has open: tests fail on a leaked handle. */
export function openStoreCount(): number {
  return openStores;
}

export function noteOpened(): void {
  openStores++;
}

export function noteClosed(): void {
  openStores--;
}

// A holder on this host that is no longer the process that took the lock: a dead pid, a pid from
// an earlier boot, or a pid now held by a later process (its start time differs).
export function isGone(holder: LockHolder, isAlive: (pid: number) => boolean): boolean {
  if (!isAlive(holder.pid)) return true;
  const boot = bootId();
  if (holder.boot_id && boot && holder.boot_id !== boot) return true;
  const started = holder.start_time ? startTimeOf(holder.pid) : null;
  return started !== null && started !== holder.start_time;
}
