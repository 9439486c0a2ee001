import path from 'node:path';
import { openStore } from '../../src/state/open-store.js';
import type { Store } from '../../src/state/store.js';
import { freshDatabase } from '../helpers/postgres.js';
import { makeWorkspace } from '../helpers/workspace.js';

/** The two stores: each store test runs against both (one suite, parametrized). */
export const STORES: { name: string; open: () => Promise<Store> }[] = [
  { name: 'sqlite', open: () => openStore(path.join(makeWorkspace(), '.aibrain', 'state.db'), { databaseUrl: undefined }) },
  { name: 'postgres', open: async () => openStore('', { databaseUrl: await freshDatabase() }) },
];

/** The two stores by where they are kept, to open one place twice (a second process, a later run). */
export const STORE_PLACES: { name: string; place: () => Promise<string>; open: (place: string) => Promise<Store> }[] = [
  { name: 'sqlite', place: async () => path.join(makeWorkspace(), '.aibrain', 'state.db'), open: (file) => openStore(file, { databaseUrl: undefined }) },
  { name: 'postgres', place: () => freshDatabase(), open: (url) => openStore('', { databaseUrl: url }) },
];

export async function withStore(open: () => Promise<Store>, fn: (store: Store) => Promise<void>): Promise<void> {
  const store = await open();
  try {
    await fn(store);
  } finally {
    await store.close();
  }
}
