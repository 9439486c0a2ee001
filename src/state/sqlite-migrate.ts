import type Database from 'better-sqlite3';

type Db = Database.Database;

export interface SqliteMigration {
  version: number;
  name: string;
  sql: string;
}

const LEDGER = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version     INTEGER PRIMARY KEY,
  name        TEXT NOT NULL,
  applied_at  TEXT NOT NULL
)`;

/**
 * The migrations a store holds: its `schema_migrations` ledger, or (a store from before the
 * ledger, which knew only `user_version`) every version up to `user_version` whose tables and
 * columns are there. A store whose `user_version` jumped past a migration it never ran (made by a
 * build that did not have that migration yet) so shows the gap. Reads only.
 */
export function appliedSqliteMigrations(db: Db, known: readonly SqliteMigration[]): Set<number> {
  if (hasTable(db, 'schema_migrations')) {
    return new Set((db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version));
  }
  const current = db.pragma('user_version', { simple: true }) as number;
  return new Set(known.filter((m) => m.version <= current && leftItsMark(db, m.sql)).map((m) => m.version));
}

/**
 * Applies every known migration the store does not hold yet (up to `upTo`), in order, each
 * written to the ledger, in one IMMEDIATE transaction (two processes opening a store at once
 * migrate it once). `user_version` stays the highest applied, for older builds that read it.
 */
export function migrateSqlite(db: Db, known: readonly SqliteMigration[], upTo = Number.POSITIVE_INFINITY): void {
  const wanted = known.filter((m) => m.version <= upTo);
  if (hasTable(db, 'schema_migrations')) {
    const applied = appliedSqliteMigrations(db, known);
    if (wanted.every((m) => applied.has(m.version))) return;
  }
  db.transaction(() => {
    const applied = appliedSqliteMigrations(db, known);
    const firstLedger = !hasTable(db, 'schema_migrations');
    db.exec(LEDGER);
    const record = db.prepare('INSERT OR IGNORE INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    const now = new Date().toISOString();
    if (firstLedger) for (const m of known) if (applied.has(m.version)) record.run(m.version, m.name, now);
    for (const m of wanted) {
      if (applied.has(m.version)) continue;
      db.exec(m.sql);
      record.run(m.version, m.name, now);
      applied.add(m.version);
    }
    const highest = Math.max(0, ...applied);
    if ((db.pragma('user_version', { simple: true }) as number) < highest) db.pragma(`user_version = ${highest}`);
  }).immediate();
}

function hasTable(db: Db, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

// What a migration leaves behind: its first CREATE TABLE, or else its first ADD COLUMN; one with
// neither is taken as applied.
function leftItsMark(db: Db, sql: string): boolean {
  const code = sql.replace(/--.*$/gm, '');
  const table = /CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)/i.exec(code);
  if (table?.[1]) return hasTable(db, table[1]);
  const column = /ALTER\s+TABLE\s+(\w+)\s+ADD\s+(?:COLUMN\s+)?(\w+)/i.exec(code);
  if (column?.[1] && column[2]) {
    if (!hasTable(db, column[1])) return false;
    return (db.pragma(`table_info(${column[1]})`) as { name: string }[]).some((c) => c.name === column[2]);
  }
  return true;
}
