import { accessSync, constants, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { LoopError, ExitCode } from '../errors.js';
import { packageRoot } from '../workspace/paths.js';
import { toStorageError } from '../workspace/storage-error.js';
import { migrateSqlite } from './sqlite-migrate.js';
import { makeDirs } from '../workspace/make-dirs.js';

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
    makeDirs(path.dirname(file));
    db = new Database(file, { timeout: 10_000 });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    checkIntact(db, file);
    migrate(db, upTo);
    return db;
  } catch (e) {
    if (db?.open) db.close();
    if (e instanceof LoopError) throw e;
    if (/^SQLITE_(CORRUPT|NOTADB)/.test(String((e as { code?: unknown }).code))) throw damaged(file, e instanceof Error ? e.message : String(e));
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
  migrateSqlite(db, schemaMigrations(), upTo);
}

/** The repair a damaged state store needs, as the one line a person reads. */
export function damaged(file: string, why: string): LoopError {
  return new LoopError(
    `${file}: the state store is damaged (${why}); run 'autonomous-loop repair --root ${path.dirname(path.dirname(file))}' to set it aside and rebuild it from deployments.json and decisions.jsonl`,
    ExitCode.badInput,
  );
}

// A file garbled mid-way opens, and then answers wrong: it is checked before anything reads it.
function checkIntact(db: Db, file: string): void {
  const rows = db.pragma('quick_check') as { quick_check: string }[];
  const first = rows[0]?.quick_check ?? 'no answer';
  if (first !== 'ok') throw damaged(file, `quick_check: ${first.split('\n')[0]}`);
}
