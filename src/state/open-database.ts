import { accessSync, constants, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { LoopError, ExitCode } from '../errors.js';
import { packageRoot } from '../workspace/paths.js';
import { toStorageError } from '../workspace/storage-error.js';

export type Db = Database.Database;

/** The numbered SQL files of the store's own schema, in order. */
export function schemaMigrations(): { version: number; name: string; sql: string }[] {
  const dir = path.join(packageRoot(), 'src', 'state', 'migrations');
  return readdirSync(dir)
    .filter((f) => /^\d{3}_.+\.sql$/.test(f))
    .sort()
    .map((name) => ({ version: Number(name.slice(0, 3)), name, sql: readFileSync(path.join(dir, name), 'utf8') }));
}

/** Opens (or creates) the state store in WAL mode and brings its schema up to date. */
export function openDatabase(file: string, upTo?: number): Db {
  let db: Db | undefined;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    db = new Database(file, { timeout: 10_000 });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db, upTo);
    return db;
  } catch (e) {
    if (db?.open) db.close();
    if (e instanceof LoopError) throw e;
    const storage = toStorageError(whyCannotOpen(e, file), file, 'open the state store');
    if (storage) throw storage;
    const reason = e instanceof Error ? e.message : String(e);
    throw new LoopError(`${file}: cannot open the state store (${reason})`, ExitCode.badInput);
  }
}

// SQLite says only that it cannot open or write the file; its folder tells why (read-only, no permission).
function whyCannotOpen(e: unknown, file: string): unknown {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !/^SQLITE_(CANTOPEN|READONLY)/.test(code)) return e;
  try {
    accessSync(path.dirname(file), constants.W_OK);
    return e;
  } catch (probe) {
    return probe;
  }
}

function migrate(db: Db, upTo = Number.POSITIVE_INFINITY): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  const pending = schemaMigrations().filter((m) => m.version > current && m.version <= upTo);
  if (pending.length === 0) return;
  // IMMEDIATE: two processes opening a new store at once migrate it once.
  db.transaction(() => {
    const now = db.pragma('user_version', { simple: true }) as number;
    for (const m of pending) {
      if (m.version <= now) continue;
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }
  }).immediate();
}
