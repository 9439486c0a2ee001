import type { Db } from './open-database.js';

/** A prepared statement as the SQLite rooms of the store use it. */
export type Statement = { run(...args: unknown[]): { changes: number }; get(...args: unknown[]): unknown; all(...args: unknown[]): unknown[] };

/** A room's statements by name, each prepared once per database handle, the first time it is used. */
export function preparedOn<K extends string>(sql: Readonly<Record<K, string>>): (db: Db, name: K) => Statement {
  const cache = new WeakMap<Db, Partial<Record<K, Statement>>>();
  return (db, name) => {
    let stmts = cache.get(db);
    if (!stmts) cache.set(db, (stmts = {}));
    return (stmts[name] ??= db.prepare(sql[name]) as unknown as Statement);
  };
}
