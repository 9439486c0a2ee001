import { existsSync, statSync } from 'node:fs';
import { checkDatabaseUrl, databaseUrl, redactUrl } from './database-url.js';
import { SqliteStore } from './sqlite-store.js';
import type { Store } from './store.js';

export { openStoreCount } from './store-handles.js';

export interface OpenOptions {
  /** PostgreSQL's URL; by default AUTONOMOUS_LOOP_DATABASE_URL. Without one, the SQLite file. */
  databaseUrl?: string | undefined;
  /**
   * Called when the store holds nothing yet (SQLite: the file is missing or empty, asked before it
   * is made; Postgres: no task and no record), before anything is written to it. Throw to refuse.
   */
  whenFresh?: () => void;
}

/** Opens the project's store: PostgreSQL when a database URL is given, else the SQLite file; its schema brought up to date. */
export async function openStore(file: string, options: OpenOptions = {}): Promise<Store> {
  const url = 'databaseUrl' in options ? options.databaseUrl : databaseUrl();
  if (url === undefined) {
    if (options.whenFresh && isFreshFile(file)) options.whenFresh();
    return SqliteStore.openFile(file);
  }
  checkDatabaseUrl(url);
  const { PgStore } = await import('./pg-store.js');
  const store = await PgStore.connect(url);
  if (options.whenFresh && (await store.isEmpty())) {
    try {
      options.whenFresh();
    } catch (e) {
      await store.close();
      throw e;
    }
  }
  return store;
}

/** Whether there may be a store to read (a database URL is given, or the SQLite file exists): readers that find none say "no runs yet". */
export function storeMayExist(file: string): boolean {
  return databaseUrl() !== undefined || existsSync(file);
}

/** Where the store is, as it may be printed (a database URL without its password). */
export function describeStoreLocation(file: string, options: Pick<OpenOptions, 'databaseUrl'> = {}): string {
  const url = 'databaseUrl' in options ? options.databaseUrl : databaseUrl();
  return url === undefined ? file : redactUrl(url);
}

/**
 * The store as a message names it: `state.db` for SQLite; on PostgreSQL the database, its URL
 * without the password (a message about the records never says "state.db" for a database).
 */
export function storeName(): string {
  const url = databaseUrl();
  return url === undefined ? 'state.db' : `the state database ${redactUrl(url)}`;
}

function isFreshFile(file: string): boolean {
  try {
    return statSync(file).size === 0;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return true;
    return false; // something in the way: opening the store names it
  }
}
