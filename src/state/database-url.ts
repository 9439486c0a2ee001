import { ExitCode, LoopError } from '../errors.js';

/** The loop's own variable: not DATABASE_URL, which is the application's (and reaches its commands). */
export const DATABASE_URL_VARIABLE = 'AUTONOMOUS_LOOP_DATABASE_URL';

/**
 * Where the store lives: PostgreSQL when a database URL is given (`--database-url`, which the CLI
 * puts in AUTONOMOUS_LOOP_DATABASE_URL, or that variable), SQLite (`.aibrain/state.db`) otherwise.
 */
export function databaseUrl(): string | undefined {
  const url = process.env[DATABASE_URL_VARIABLE]?.trim();
  return url ? url : undefined;
}

/** A database URL as it may be printed: the password (and any `password=` parameter) replaced. */
export function redactUrl(url: string): string {
  const parsed = tryParse(url);
  if (!parsed) return url.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@').replace(/(password=)[^&\s]*/gi, '$1***');
  if (parsed.password) parsed.password = '***';
  for (const key of [...parsed.searchParams.keys()]) if (/pass/i.test(key)) parsed.searchParams.set(key, '***');
  return parsed.toString();
}

/** Every occurrence of the URL (and its password alone) in a text, redacted. */
export function redactUrlIn(text: string, url: string): string {
  const password = tryParse(url)?.password;
  let out = text.split(url).join(redactUrl(url));
  if (password) {
    out = out.split(password).join('***');
    const decoded = safeDecode(password);
    if (decoded && decoded !== password) out = out.split(decoded).join('***');
  }
  return out;
}

/** A URL the store can use: postgres:// or postgresql://, a host; anything else is bad input (exit 2). */
export function checkDatabaseUrl(url: string): URL {
  const parsed = tryParse(url);
  if (!parsed || !/^postgres(ql)?:$/.test(parsed.protocol)) {
    throw new LoopError(`--database-url / AUTONOMOUS_LOOP_DATABASE_URL: expected postgres://user:password@host:port/database, got '${redactUrl(url)}'`, ExitCode.badInput);
  }
  return parsed;
}

function tryParse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

function safeDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}
