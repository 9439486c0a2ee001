import { statSync } from 'node:fs';
import { SqliteStore } from './sqlite-store.js';
import type { Store } from './store.js';

export { openStoreCount } from './store-handles.js';

export interface OpenOptions {
  /**
   * Called when the store holds nothing yet (the file is missing or empty), asked before
   * anything is written to it. Throw to refuse.
   */
  whenFresh?: () => void;
}

/** Opens the project's store (the SQLite file), its schema brought up to date. */
export async function openStore(file: string, options: OpenOptions = {}): Promise<Store> {
  if (options.whenFresh && isFreshFile(file)) options.whenFresh();
  return SqliteStore.openFile(file);
}

/** Where the store is, as it may be printed. */
export function describeStoreLocation(file: string): string {
  return file;
}

function isFreshFile(file: string): boolean {
  try {
    return statSync(file).size === 0;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return true;
    return false; // something in the way: opening the store names it
  }
}
