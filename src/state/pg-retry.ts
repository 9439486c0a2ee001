import { redactUrl, redactUrlIn } from './database-url.js';
import type { ListenTrouble } from './store.js';

/** How long a run tries to get its database back before it stops (exit 5; the state is kept, a later run resumes). */
export const RECONNECT_LIMIT_MS = 60_000;
const FIRST_RETRY_MS = 500;
const LAST_RETRY_MS = 10_000;

// The statement never reached the server: trying again cannot do anything twice.
const NOT_SENT = /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|57P03)$/;
// The connection broke while the statement was under way: it may have run. Only a read is tried again.
const MAYBE_SENT = /^(ECONNRESET|EPIPE|ETIMEDOUT|57P01|57P02|08006|08003|08000)$/;

/** Who is told while the connection is lost (a run: on screen); without one, nothing is retried. */
export interface Reconnect {
  onTrouble: ListenTrouble | undefined;
}

function isRead(sql: string): boolean {
  return /^\s*(SELECT|WITH)\b/i.test(sql) && !/pg_notify|FOR UPDATE|pg_advisory/i.test(sql);
}

function retryable(e: unknown, sql: string | undefined): boolean {
  const code = String((e as { code?: unknown } | null)?.code ?? '');
  const message = e instanceof Error ? e.message : String(e);
  if (NOT_SENT.test(code) || /timeout exceeded when trying to connect/i.test(message)) return true;
  const maybeSent = MAYBE_SENT.test(code) || /Connection terminated/i.test(message);
  return maybeSent && sql !== undefined && isRead(sql);
}

/**
 * Runs op; when the connection to the database is lost, tries again with backoff (0.5 s doubling
 * to 10 s, for up to RECONNECT_LIMIT_MS), saying so through `onTrouble` and once more (null) when
 * it is back. Only what cannot have run twice is tried again: a statement that never reached the
 * server, or a read (`sql`; undefined for taking a connection, which is always safe to retry).
 */
export function withReconnect<T>(reconnect: Reconnect, url: string, sql: string | undefined, op: () => Promise<T>): Promise<T> {
  return retryWhile(reconnect, url, (e) => retryable(e, sql ?? 'SELECT'), op);
}

/**
 * A transaction whose connection was lost before its COMMIT was sent: the server rolled it back,
 * so it may run again (a COMMIT under way may have committed: never tried again).
 */
export function transactionLost(e: unknown): boolean {
  const code = String((e as { code?: unknown } | null)?.code ?? '').replace(/^PG_/, '');
  const message = e instanceof Error ? e.message : String(e);
  // A COMMIT the client never sent (its connection had already failed) committed nothing.
  if ((e as { atCommit?: unknown } | null)?.atCommit === true) return /not queryable/i.test(message);
  return NOT_SENT.test(code) || MAYBE_SENT.test(code) || code === 'CONNECTION' || /Connection terminated|not queryable|timeout exceeded when trying to connect/i.test(message);
}

/** A whole transaction, tried again (as withReconnect does) while its connection is lost before the commit. */
export function withReconnectTransaction<T>(reconnect: Reconnect, url: string, op: () => Promise<T>): Promise<T> {
  return retryWhile(reconnect, url, transactionLost, op);
}

async function retryWhile<T>(reconnect: Reconnect, url: string, canRetry: (e: unknown) => boolean, op: () => Promise<T>): Promise<T> {
  const started = Date.now();
  let delay = FIRST_RETRY_MS;
  let said = false;
  for (;;) {
    try {
      const result = await op();
      if (said) reconnect.onTrouble?.(null);
      return result;
    } catch (e) {
      const tell = reconnect.onTrouble;
      if (!tell || !canRetry(e) || Date.now() - started + delay > RECONNECT_LIMIT_MS) throw e;
      const why = redactUrlIn(e instanceof Error ? e.message || String((e as { code?: unknown }).code) : String(e), url);
      tell(`lost the connection to the state database ${redactUrl(url)} (${why}); trying again in ${(delay / 1000).toFixed(1)} s`);
      said = true;
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, LAST_RETRY_MS);
    }
  }
}
