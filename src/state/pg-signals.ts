import pg from 'pg';
import { SCHEMA } from './pg-migrate.js';
import { redactUrl, redactUrlIn } from './database-url.js';
import type { ListenTrouble, OutputChunk, StoreSignal } from './store.js';

/** The one channel of the loop's signals; the payload names the project. */
export const CHANNEL = 'autonomous_loop';
// Backoff of a listener whose connection was lost: 0.5 s doubling up to 10 s.
const FIRST_RETRY_MS = 500;
const LAST_RETRY_MS = 10_000;

type Query = <T>(sql: string, params: unknown[]) => Promise<T[]>;

/** NOTIFY: inside a transaction it is delivered when the transaction commits (never for a rollback). */
export async function notify(query: Query, s: StoreSignal): Promise<void> {
  await query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify({ project: s.project, kind: s.kind, task_id: s.task_id })]);
}

export function appendOutput(query: Query, project: string, taskId: string, iteration: number, runId: string, chunk: string): Promise<unknown> {
  return query('INSERT INTO task_output (project, task_id, iteration, run_id, chunk, at) VALUES ($1, $2, $3, $4, $5, $6)', [project, taskId, iteration, runId, chunk, new Date().toISOString()]);
}

export async function output(query: Query, project: string, taskId: string, afterSeq: number, limit: number): Promise<OutputChunk[]> {
  const rows = await query<OutputChunk>('SELECT seq, iteration, run_id, chunk, at FROM task_output WHERE project = $1 AND task_id = $2 AND seq > $3 ORDER BY seq LIMIT $4', [project, taskId, afterSeq, limit]);
  return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
}

export async function pruneOutput(query: Query, project: string, taskId: string, keepIterations: number): Promise<void> {
  await query(
    `DELETE FROM task_output WHERE project = $1 AND task_id = $2 AND iteration < (
       SELECT iteration FROM (SELECT DISTINCT iteration FROM task_output WHERE project = $1 AND task_id = $2) i ORDER BY iteration DESC LIMIT 1 OFFSET $3)`,
    [project, taskId, Math.max(0, keepIterations - 1)],
  );
}

/**
 * LISTEN on a connection of its own (a pooled one would be handed to others). No polling: the
 * server pushes each NOTIFY. A lost connection is said through onTrouble and opened again with
 * backoff; once listening again a `resync` signal says that signals may have been missed.
 */
export async function listenPostgres(url: string, project: string, onSignal: (s: StoreSignal) => void, onTrouble?: ListenTrouble): Promise<() => Promise<void>> {
  let stopped = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  let delay = FIRST_RETRY_MS;

  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: url, options: `-c search_path=${SCHEMA}`, connectionTimeoutMillis: 10_000 });
    c.on('notification', (n) => {
      if (stopped || n.channel !== CHANNEL || !n.payload) return;
      let s: StoreSignal;
      try {
        s = JSON.parse(n.payload) as StoreSignal;
      } catch {
        return; // not ours
      }
      if (s.project === project) onSignal(s);
    });
    c.on('error', (e) => lost(c, e));
    c.on('end', () => lost(c, new Error('the connection ended')));
    await c.connect();
    await c.query(`LISTEN ${CHANNEL}`);
    client = c;
  };

  const lost = (c: pg.Client, e: unknown): void => {
    if (stopped || client !== c) return;
    client = undefined;
    c.removeAllListeners('end');
    c.end().catch(() => undefined);
    again(e);
  };

  const again = (e: unknown): void => {
    const why = redactUrlIn(e instanceof Error ? e.message : String(e), url);
    onTrouble?.(`lost the connection to the state database ${redactUrl(url)} (${why}); listening for decisions again in ${(delay / 1000).toFixed(1)} s`);
    retry = setTimeout(() => {
      retry = undefined;
      if (stopped) return;
      connect().then(
        () => {
          delay = FIRST_RETRY_MS;
          onTrouble?.(null);
          onSignal({ project, kind: 'resync', task_id: null });
        },
        (err: unknown) => {
          delay = Math.min(delay * 2, LAST_RETRY_MS);
          again(err);
        },
      );
    }, delay);
  };

  await connect();
  return async () => {
    stopped = true;
    if (retry) clearTimeout(retry);
    const c = client;
    client = undefined;
    if (c) await c.end().catch(() => undefined);
  };
}
