import path from 'node:path';
import Database from 'better-sqlite3';

/**
 * The workspace's state.db opened directly, for a test to look at (or plant) rows the way a loop
 * elsewhere left them. The code under test goes through the store; tests look underneath.
 */
export function withStateDb<T>(ws: string, fn: (db: Database.Database) => T): T {
  const db = new Database(path.join(ws, '.aibrain', 'state.db'), { timeout: 10_000 });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}
