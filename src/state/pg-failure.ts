import { ExitCode, LoopError } from '../errors.js';
import { redactUrl, redactUrlIn } from './database-url.js';

// SQLSTATE classes that mean the database cannot be used now: connection (08), resources (53),
// operator intervention (57: shutdown, too many connections), auth (28), no such database (3D).
const UNAVAILABLE = /^(08|53|57|28|3D)/;
const NETWORK = /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EPIPE)$/;

/** A failure of the state database, as the one line a person reads: exit 5, the password never shown. */
export class StoreUnavailable extends LoopError {
  readonly code: string;
  constructor(message: string, code: string) {
    super(message, ExitCode.storageFailed);
    this.code = code;
  }
}

/**
 * What a `pg` error means for the loop. The database unreachable, refusing us or gone: exit 5 with
 * the URL (redacted) and what to do. Anything else is an error of the store (its code `PG_<sqlstate>`,
 * so the run stops as it does for SQLite's), its message redacted.
 */
export function toStoreFailure(error: unknown, url: string): Error {
  if (error instanceof LoopError) return error;
  const code = String((error as { code?: unknown } | null)?.code ?? '');
  const message = redactUrlIn(error instanceof Error ? error.message : String(error), url);
  const where = redactUrl(url);
  if (code === '25P03' || /not queryable|idle-in-transaction timeout/i.test(message)) {
    // This process sat in a transaction too long (paused, starved): the server ended its connection.
    return new StoreUnavailable(`${where}: the state database ended this runner's connection while it was paused in a transaction (${message}); run again to resume`, `PG_${code || 'CONNECTION'}`);
  }
  if (NETWORK.test(code) || /Connection terminated|connect(ion)? timeout|timeout exceeded when trying to connect/i.test(message)) {
    return new StoreUnavailable(`${where}: cannot reach the state database (${code || message}); start it, or check the host and port in the database URL`, `PG_${code || 'CONNECTION'}`);
  }
  if (code === '28P01' || code === '28000') {
    return new StoreUnavailable(`${where}: the state database refused the login (${message}); check the user and password in the database URL`, `PG_${code}`);
  }
  if (code === '3D000') return new StoreUnavailable(`${where}: ${message}; create it (createdb) or fix the database name in the database URL`, `PG_${code}`);
  if (UNAVAILABLE.test(code)) return new StoreUnavailable(`${where}: the state database failed (${message}) [${code}]`, `PG_${code}`);
  const failure = new Error(`${where}: ${message}`) as Error & { code: string };
  failure.code = `PG_${code || 'ERROR'}`;
  return failure;
}
