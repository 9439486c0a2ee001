import { faultPause } from '../workspace/fault-point.js';
import { CLAIMABLE_STATUSES, INTERRUPTED_STEPS, claimedRow, type ClaimedTask, type ClaimedTaskRow, type ClaimRow, type CutOffClaim, type RunnerInfo, type RunnerRow, type TaskClaim } from './claims.js';

/** One query on the store's connection (inside the caller's transaction where there is one). */
export type Query = <T>(sql: string, params?: unknown[]) => Promise<T[]>;
/** A write whose answer nobody reads: in a transaction it goes with the transaction's next message. */
export type Write = (sql: string, params: unknown[]) => Promise<void>;

const lease = (n: number): string => `clock_timestamp() + make_interval(secs => $${n}::float8 / 1000)`;
const ms = (col: string): string => `(extract(epoch from ${col}) * 1000)::float8 AS ${col}`;

// What a claim reads of a candidate: its task's row, enough to resume it without reading it again,
// and the claim on it.
const CANDIDATE = `SELECT t.task_id, t.status, t.iterations, t.base_iteration, t.last_error, t.reason,
    EXISTS (SELECT 1 FROM iterations i WHERE i.project = t.project AND i.task_id = t.task_id AND i.state = 'running') AS cut_off,
    ${INTERRUPTED_STEPS},
    c.runner_id, c.token, c.released, (c.expires_at > clock_timestamp()) AS live`;

const SQL = {
  register: `INSERT INTO runners (runner_id, project, host, pid, labels, started_at, heartbeat_at, expires_at, boot_id)
    VALUES ($1, $2, $3, $4, $5, clock_timestamp(), clock_timestamp(), ${lease(6)}, $7)
    ON CONFLICT (runner_id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at, expires_at = excluded.expires_at, stopped_at = NULL`,
  expireClaims: 'UPDATE task_claims SET expires_at = clock_timestamp() WHERE runner_id = $1 AND NOT released',
  renewRunner: `UPDATE runners SET heartbeat_at = clock_timestamp(), expires_at = ${lease(2)} WHERE runner_id = $1 AND stopped_at IS NULL`,
  renewClaims: `UPDATE task_claims SET expires_at = ${lease(2)} WHERE runner_id = $1 AND NOT released RETURNING task_id AS "taskId", token`,
  // SKIP LOCKED: a task another runner is claiming or writing right now is passed over, not waited for.
  candidates: `${CANDIDATE}
    FROM unnest($2::text[]) WITH ORDINALITY AS w(task_id, position)
      JOIN tasks t ON t.project = $1 AND t.task_id = w.task_id
      LEFT JOIN task_claims c ON c.project = t.project AND c.task_id = t.task_id
    ORDER BY w.position
    FOR UPDATE OF t SKIP LOCKED`,
  // The same for one task (what a runner asks): a point lookup, whose plan the server keeps.
  candidate: `${CANDIDATE}
    FROM tasks t LEFT JOIN task_claims c ON c.project = t.project AND c.task_id = t.task_id
    WHERE t.project = $1 AND t.task_id = $2
    FOR UPDATE OF t SKIP LOCKED`,
  take: `INSERT INTO task_claims (project, task_id, runner_id, token, claimed_at, expires_at, released)
    VALUES ($1, $2, $3, 1, clock_timestamp(), ${lease(4)}, false)
    ON CONFLICT (project, task_id) DO UPDATE SET runner_id = excluded.runner_id, token = task_claims.token + 1,
      claimed_at = excluded.claimed_at, expires_at = excluded.expires_at, released = false`,
  extend: `UPDATE task_claims SET expires_at = ${lease(4)} WHERE project = $1 AND task_id = $2 AND runner_id = $3`,
  // FOR SHARE: a takeover waits until the write checked against this claim has committed.
  holds: 'SELECT 1 AS ok FROM task_claims WHERE project = $1 AND task_id = $2 AND runner_id = $3 AND token = $4 AND NOT released FOR SHARE',
  release: 'UPDATE task_claims SET released = true WHERE project = $1 AND task_id = $2 AND runner_id = $3 AND token = $4',
  stopRunner: 'UPDATE runners SET stopped_at = clock_timestamp(), expires_at = clock_timestamp() WHERE runner_id = $1',
  releaseAll: 'UPDATE task_claims SET released = true WHERE runner_id = $1',
  runners: `SELECT runner_id, project, host, pid, labels, boot_id, ${ms('started_at')}, ${ms('heartbeat_at')},
      (stopped_at IS NULL AND expires_at > clock_timestamp()) AS alive, (stopped_at IS NOT NULL) AS stopped
    FROM runners WHERE project = $1 AND (stopped_at IS NULL OR runner_id IN
      (SELECT runner_id FROM runners WHERE project = $1 AND stopped_at IS NOT NULL ORDER BY stopped_at DESC LIMIT 20))
    ORDER BY started_at, runner_id`,
  cutOff: `SELECT c.task_id, c.runner_id FROM task_claims c JOIN tasks t ON t.project = c.project AND t.task_id = c.task_id
    WHERE c.project = $1 AND NOT c.released AND c.expires_at <= clock_timestamp() AND c.runner_id <> $2
      AND t.status IN ('pending', 'in_progress') ORDER BY c.task_id`,
  claims: `SELECT task_id, runner_id, token, ${ms('claimed_at')}, ${ms('expires_at')}, (NOT released AND expires_at > clock_timestamp()) AS live
    FROM task_claims WHERE project = $1 ORDER BY task_id`,
} as const;

const iso = (v: number | string): string => new Date(Number(v)).toISOString();

/** Runners and claims in PostgreSQL: the database's clock, claims taken with FOR UPDATE SKIP LOCKED. */
export const pgClaims = {
  async register(q: Query, r: RunnerInfo, leaseMs: number): Promise<void> {
    await q(SQL.register, [r.runnerId, r.project, r.host, r.pid, JSON.stringify(r.labels), leaseMs, r.bootId ?? null]);
  },

  /** Run inside a transaction. */
  async renew(q: Query, runnerId: string, leaseMs: number): Promise<TaskClaim[]> {
    await q(SQL.renewRunner, [runnerId, leaseMs]);
    const held = await q<{ taskId: string; token: string }>(SQL.renewClaims, [runnerId, leaseMs]);
    return held.map((h) => ({ taskId: h.taskId, token: Number(h.token) })).sort((a, b) => a.taskId.localeCompare(b.taskId));
  },

  /** Run inside a transaction. */
  // Every claim is taken inside a writer transaction with the task's row locked: its claim's token
  // is the one read plus one (what `take` writes), and the write goes with the COMMIT.
  async claim(q: Query, write: Write, project: string, runnerId: string, candidates: readonly string[], leaseMs: number): Promise<ClaimedTask | undefined> {
    const [sql, params] = candidates.length === 1 ? [SQL.candidate, [project, candidates[0]]] : [SQL.candidates, [project, [...candidates]]];
    const rows = await q<ClaimedTaskRow & { task_id: string; cut_off: boolean; interrupted: boolean; runner_id: string | null; token: string | null; released: boolean | null; live: boolean | null }>(sql, params);
    await faultPause('claim:candidates-read'); // the writer lock and the candidates' rows held
    for (const row of rows) {
      if (!CLAIMABLE_STATUSES.includes(row.status)) continue;
      const held = row.runner_id !== null && row.released === false;
      if (held && row.runner_id === runnerId) {
        await write(SQL.extend, [project, row.task_id, runnerId, leaseMs]);
        return { taskId: row.task_id, token: Number(row.token), tookOverFrom: null, row: claimedRow(row), cutOff: row.cut_off, interrupted: row.interrupted };
      }
      if (held && row.live) continue;
      await write(SQL.take, [project, row.task_id, runnerId, leaseMs]);
      return { taskId: row.task_id, token: row.token === null ? 1 : Number(row.token) + 1, tookOverFrom: held ? row.runner_id : null, row: claimedRow(row), cutOff: row.cut_off, interrupted: row.interrupted };
    }
    return undefined;
  },

  async holds(q: Query, project: string, taskId: string, runnerId: string, token: number): Promise<boolean> {
    return (await q(SQL.holds, [project, taskId, runnerId, token])).length > 0;
  },

  release(write: Write, project: string, taskId: string, runnerId: string, token: number): Promise<void> {
    return write(SQL.release, [project, taskId, runnerId, token]);
  },

  /** Run inside a transaction. */
  async stop(q: Query, runnerId: string): Promise<void> {
    await q(SQL.stopRunner, [runnerId]);
    await q(SQL.releaseAll, [runnerId]);
  },

  /** Run inside a transaction. */
  async expire(q: Query, runnerId: string): Promise<void> {
    await q(SQL.stopRunner, [runnerId]);
    await q(SQL.expireClaims, [runnerId]);
  },

  async runners(q: Query, project: string): Promise<RunnerRow[]> {
    const rows = await q<{ runner_id: string; project: string; host: string; pid: number; labels: string; boot_id: string | null; started_at: number; heartbeat_at: number; alive: boolean; stopped: boolean }>(SQL.runners, [project]);
    return rows.map((r) => ({ ...r, labels: JSON.parse(r.labels) as string[], started_at: iso(r.started_at), heartbeat_at: iso(r.heartbeat_at) }));
  },

  async claims(q: Query, project: string): Promise<ClaimRow[]> {
    const rows = await q<{ task_id: string; runner_id: string; token: string; claimed_at: number; expires_at: number; live: boolean }>(SQL.claims, [project]);
    return rows.map((c) => ({ task_id: c.task_id, runner_id: c.runner_id, token: Number(c.token), claimed_at: iso(c.claimed_at), expires_at: iso(c.expires_at), live: c.live }));
  },

  async cutOff(q: Query, project: string, exceptRunnerId: string): Promise<CutOffClaim[]> {
    return q<CutOffClaim>(SQL.cutOff, [project, exceptRunnerId]);
  },
};
