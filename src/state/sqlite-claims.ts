import type { Db } from './open-database.js';
import { preparedOn } from './sqlite-prepared.js';
import { CLAIMABLE_STATUSES, INTERRUPTED_STEPS, claimedRow, type ClaimedTask, type ClaimedTaskRow, type ClaimRow, type CutOffClaim, type RunnerInfo, type RunnerRow, type TaskClaim } from './claims.js';

const SQL = {
  register: `INSERT OR REPLACE INTO runners (runner_id, project, host, pid, labels, started_at, heartbeat_at, expires_at, stopped_at, boot_id)
    VALUES (@runner_id, @project, @host, @pid, @labels, @now, @now, @expires, NULL, @boot_id)`,
  expireClaims: 'UPDATE task_claims SET expires_at = ? WHERE runner_id = ? AND released = 0',
  renewRunner: 'UPDATE runners SET heartbeat_at = ?, expires_at = ? WHERE runner_id = ? AND stopped_at IS NULL',
  renewClaims: 'UPDATE task_claims SET expires_at = ? WHERE runner_id = ? AND released = 0',
  heldClaims: 'SELECT task_id AS taskId, token FROM task_claims WHERE runner_id = ? AND released = 0 ORDER BY task_id',
  candidate: `SELECT t.status, t.iterations, t.base_iteration, t.last_error, t.reason,
      EXISTS (SELECT 1 FROM iterations i WHERE i.project = t.project AND i.task_id = t.task_id AND i.state = 'running') AS cut_off,
      ${INTERRUPTED_STEPS},
      c.runner_id, c.token, c.released, c.expires_at FROM tasks t
    LEFT JOIN task_claims c ON c.project = t.project AND c.task_id = t.task_id WHERE t.project = ? AND t.task_id = ?`,
  take: `INSERT INTO task_claims (project, task_id, runner_id, token, claimed_at, expires_at, released) VALUES (@project, @task_id, @runner_id, 1, @now, @expires, 0)
    ON CONFLICT (project, task_id) DO UPDATE SET runner_id = excluded.runner_id, token = task_claims.token + 1,
      claimed_at = excluded.claimed_at, expires_at = excluded.expires_at, released = 0
    RETURNING token`,
  extend: 'UPDATE task_claims SET expires_at = ? WHERE project = ? AND task_id = ? AND runner_id = ?',
  holds: 'SELECT 1 AS ok FROM task_claims WHERE project = ? AND task_id = ? AND runner_id = ? AND token = ? AND released = 0',
  release: 'UPDATE task_claims SET released = 1 WHERE project = ? AND task_id = ? AND runner_id = ? AND token = ?',
  stopRunner: 'UPDATE runners SET stopped_at = ?, expires_at = ? WHERE runner_id = ?',
  releaseAll: 'UPDATE task_claims SET released = 1 WHERE runner_id = ?',
  runners: `SELECT * FROM runners WHERE project = ? AND (stopped_at IS NULL OR runner_id IN
    (SELECT runner_id FROM runners WHERE project = ? AND stopped_at IS NOT NULL ORDER BY stopped_at DESC LIMIT 20))
    ORDER BY started_at, runner_id`,
  cutOff: `SELECT c.task_id, c.runner_id FROM task_claims c JOIN tasks t ON t.project = c.project AND t.task_id = c.task_id
    WHERE c.project = ? AND c.released = 0 AND c.expires_at <= ? AND c.runner_id <> ? AND t.status IN ('pending', 'in_progress') ORDER BY c.task_id`,
  claims: 'SELECT task_id, runner_id, token, claimed_at, expires_at, released FROM task_claims WHERE project = ? ORDER BY task_id',
} as const;

const stmt = preparedOn(SQL);

const iso = (ms: number): string => new Date(ms).toISOString();

/** Runners and claims in SQLite: one machine's clock, each claim taken in one immediate transaction. */
export const sqliteClaims = {
  register(db: Db, r: RunnerInfo, leaseMs: number): void {
    const now = Date.now();
    stmt(db, 'register').run({ runner_id: r.runnerId, project: r.project, host: r.host, pid: r.pid, labels: JSON.stringify(r.labels), now, expires: now + leaseMs, boot_id: r.bootId ?? null });
  },

  renew(db: Db, runnerId: string, leaseMs: number): TaskClaim[] {
    return db.transaction(() => {
      const now = Date.now();
      stmt(db, 'renewRunner').run(now, now + leaseMs, runnerId);
      stmt(db, 'renewClaims').run(now + leaseMs, runnerId);
      return stmt(db, 'heldClaims').all(runnerId) as TaskClaim[];
    }).immediate();
  },

  claim(db: Db, project: string, runnerId: string, candidates: readonly string[], leaseMs: number): ClaimedTask | undefined {
    return db.transaction(() => {
      const now = Date.now();
      for (const taskId of candidates) {
        const row = stmt(db, 'candidate').get(project, taskId) as (ClaimedTaskRow & { cut_off: number; interrupted: number; runner_id: string | null; token: number | null; released: number | null; expires_at: number | null }) | undefined;
        if (!row || !CLAIMABLE_STATUSES.includes(row.status)) continue;
        const held = row.runner_id !== null && row.released === 0;
        if (held && row.runner_id === runnerId) {
          stmt(db, 'extend').run(now + leaseMs, project, taskId, runnerId);
          return { taskId, token: Number(row.token), tookOverFrom: null, row: claimedRow(row), cutOff: row.cut_off === 1, interrupted: row.interrupted === 1 };
        }
        if (held && (row.expires_at ?? 0) > now) continue;
        const taken = stmt(db, 'take').get({ project, task_id: taskId, runner_id: runnerId, now, expires: now + leaseMs }) as { token: number };
        return { taskId, token: Number(taken.token), tookOverFrom: held ? row.runner_id : null, row: claimedRow(row), cutOff: row.cut_off === 1, interrupted: row.interrupted === 1 };
      }
      return undefined;
    }).immediate();
  },

  holds(db: Db, project: string, taskId: string, runnerId: string, token: number): boolean {
    return stmt(db, 'holds').get(project, taskId, runnerId, token) !== undefined;
  },

  release(db: Db, project: string, taskId: string, runnerId: string, token: number): void {
    stmt(db, 'release').run(project, taskId, runnerId, token);
  },

  stop(db: Db, runnerId: string): void {
    db.transaction(() => {
      const now = Date.now();
      stmt(db, 'stopRunner').run(now, now, runnerId);
      stmt(db, 'releaseAll').run(runnerId);
    }).immediate();
  },

  expire(db: Db, runnerId: string): void {
    db.transaction(() => {
      const now = Date.now();
      stmt(db, 'stopRunner').run(now, now, runnerId);
      stmt(db, 'expireClaims').run(now, runnerId);
    }).immediate();
  },

  runners(db: Db, project: string): RunnerRow[] {
    const now = Date.now();
    const rows = stmt(db, 'runners').all(project, project) as { runner_id: string; project: string; host: string; pid: number; labels: string; started_at: number; heartbeat_at: number; expires_at: number; stopped_at: number | null; boot_id: string | null }[];
    return rows.map((r) => ({
      runner_id: r.runner_id,
      project: r.project,
      host: r.host,
      pid: r.pid,
      labels: JSON.parse(r.labels) as string[],
      started_at: iso(r.started_at),
      heartbeat_at: iso(r.heartbeat_at),
      alive: r.stopped_at === null && r.expires_at > now,
      stopped: r.stopped_at !== null,
      boot_id: r.boot_id,
    }));
  },

  claims(db: Db, project: string): ClaimRow[] {
    const now = Date.now();
    const rows = stmt(db, 'claims').all(project) as { task_id: string; runner_id: string; token: number; claimed_at: number; expires_at: number; released: number }[];
    return rows.map((c) => ({ task_id: c.task_id, runner_id: c.runner_id, token: Number(c.token), claimed_at: iso(c.claimed_at), expires_at: iso(c.expires_at), live: c.released === 0 && c.expires_at > now }));
  },

  cutOff(db: Db, project: string, exceptRunnerId: string): CutOffClaim[] {
    return stmt(db, 'cutOff').all(project, Date.now(), exceptRunnerId) as CutOffClaim[];
  },
};
