import { hostname } from 'node:os';
import type { Query } from './pg-claims.js';
import { bootId, startTimeOf } from './process-identity.js';
import { isGone } from './store-handles.js';
import type { LockHolder, LockResult } from './store.js';

const SQL = {
  get: 'SELECT pid, host, since, run_id, boot_id, start_time FROM locks WHERE project = $1',
  getForUpdate: 'SELECT pid, host, since, run_id, boot_id, start_time FROM locks WHERE project = $1 FOR UPDATE',
  put: `INSERT INTO locks (project, pid, host, since, run_id, boot_id, start_time) VALUES ($1, $2, $3, $4, $5, $6, $7)
    ON CONFLICT (project) DO UPDATE SET pid = excluded.pid, host = excluded.host, since = excluded.since, run_id = excluded.run_id,
      boot_id = excluded.boot_id, start_time = excluded.start_time`,
  force: 'DELETE FROM locks WHERE project = $1',
  release: 'DELETE FROM locks WHERE project = $1 AND run_id = $2',
} as const;

const holderOf = (rows: LockHolder[]): LockHolder | undefined => (rows[0] ? { ...rows[0] } : undefined);

/**
 * The project lock in PostgreSQL (what `unlock` shows and clears; runners of a shared store claim
 * tasks instead). `acquire` and `force` run inside a transaction: the row is read FOR UPDATE.
 */
export const pgLock = {
  async acquire(q: Query, project: string, runId: string, isAlive: (pid: number) => boolean): Promise<LockResult> {
    const holder = holderOf(await q<LockHolder>(SQL.getForUpdate, [project]));
    const host = hostname();
    if (holder && !(holder.host === host && isGone(holder, isAlive))) return { ok: false, holder };
    await q(SQL.put, [project, process.pid, host, new Date().toISOString(), runId, bootId(), startTimeOf(process.pid)]);
    return holder ? { ok: true, tookOverFrom: holder } : { ok: true };
  },
  async force(q: Query, project: string): Promise<LockHolder | undefined> {
    const holder = holderOf(await q<LockHolder>(SQL.getForUpdate, [project]));
    if (holder) await q(SQL.force, [project]);
    return holder;
  },
  async release(q: Query, project: string, runId: string): Promise<void> {
    await q(SQL.release, [project, runId]);
  },
  async holder(q: Query, project: string): Promise<LockHolder | undefined> {
    return holderOf(await q<LockHolder>(SQL.get, [project]));
  },
};
