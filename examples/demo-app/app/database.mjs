// Opens the environment's SQLite database with better-sqlite3. The module comes from the
// autonomous-loop package this demo ships in; a release started from elsewhere is told where it is
// through DEMO_SQLITE_MODULE.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Where better-sqlite3 is: DEMO_SQLITE_MODULE, else found from this file's folder upwards. */
export function sqliteModulePath() {
  if (process.env.DEMO_SQLITE_MODULE) return process.env.DEMO_SQLITE_MODULE;
  try {
    return require.resolve('better-sqlite3');
  } catch {
    throw new Error('better-sqlite3 not found: run the demo from the autonomous-loop folder (npm install) or set DEMO_SQLITE_MODULE');
  }
}

function loadSqlite() {
  return require(sqliteModulePath());
}

export function openDatabase(file, { readonly = false } = {}) {
  const Database = loadSqlite();
  const db = new Database(file, { readonly, fileMustExist: readonly });
  db.pragma('busy_timeout = 2000');
  return db;
}

/** The ids of the applied migrations, oldest first (empty before the first one). */
export function appliedMigrations(db) {
  const table = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  if (!table) return [];
  return db.prepare('SELECT id FROM schema_migrations ORDER BY id').all().map((row) => row.id);
}
