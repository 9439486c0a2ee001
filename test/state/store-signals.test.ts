import path from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/state/open-store.js';
import type { Store, StoreSignal } from '../../src/state/store.js';
import { freshDatabase } from '../helpers/postgres.js';
import { makeWorkspace, removeWorkspaces } from '../helpers/workspace.js';

afterEach(removeWorkspaces);

/** One place, opened twice: two processes (or machines) on one store. */
const PLACES: { name: string; place: () => Promise<() => Promise<Store>> }[] = [
  {
    name: 'sqlite',
    place: async () => {
      const file = path.join(makeWorkspace(), '.aibrain', 'state.db');
      return () => openStore(file, { databaseUrl: undefined });
    },
  },
  {
    name: 'postgres',
    place: async () => {
      const url = await freshDatabase();
      return () => openStore('', { databaseUrl: url });
    },
  },
];

function waitFor<T>(got: T[], n: number, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (got.length >= n) resolve();
      else if (Date.now() > until) reject(new Error(`waited ${ms} ms for ${n} signals, got ${got.length}`));
      else setTimeout(check, 10);
    };
    check();
  });
}

describe.each(PLACES)('$name store: signals and task output', ({ name, place }) => {
  it("a signal given by one opener reaches the other's listener of that project only; a rolled-back one never", async () => {
    const open = await place();
    const runner = await open();
    const person = await open();
    const got: StoreSignal[] = [];
    const stop = await runner.listen('p', (s) => got.push(s));
    try {
      await person.signal({ project: 'other', kind: 'decision', task_id: 'X' });
      await person.transaction(async (tx) => {
        await tx.signal({ project: 'p', kind: 'decision', task_id: 'ROLLED-BACK' });
        throw new Error('no');
      }).catch(() => undefined);
      await person.transaction(async (tx) => {
        await tx.saveTask('p', { task_id: 'A', status: 'pending', file_status: 'pending', iterations: 0, base_iteration: 0, last_error: null, reason: null });
        await tx.signal({ project: 'p', kind: 'decision', task_id: 'A' });
      });
      await waitFor(got, 1);
      await new Promise((r) => setTimeout(r, 300));
      expect(got).toEqual([{ project: 'p', kind: 'decision', task_id: 'A' }]);
      // What the signal announces is there when it arrives (sent at commit).
      expect((await runner.task('p', 'A'))?.status).toBe('pending');
      await stop();
      await person.signal({ project: 'p', kind: 'decision', task_id: 'B' });
      await new Promise((r) => setTimeout(r, 300));
      expect(got).toHaveLength(1);
    } finally {
      await stop();
      await runner.close();
      await person.close();
    }
  });

  it('keeps task output by iteration, read after a sequence number, pruned to the last iterations', async () => {
    const open = await place();
    const runner = await open();
    const reader = await open();
    try {
      for (const n of [1, 2, 3]) for (const line of ['a', 'b']) await runner.appendOutput('p', 'T', n, 'run-1', `${n}${line}\n`);
      await runner.appendOutput('p', 'U', 1, 'run-1', 'other task\n');
      const all = await reader.output('p', 'T', 0);
      expect(all.map((c) => c.chunk).join('')).toBe('1a\n1b\n2a\n2b\n3a\n3b\n');
      expect(all.every((c) => typeof c.seq === 'number' && c.run_id === 'run-1')).toBe(true);
      const after = await reader.output('p', 'T', all[3]!.seq);
      expect(after.map((c) => c.chunk)).toEqual(['3a\n', '3b\n']);
      expect(await reader.output('p', 'T', 0, 2)).toHaveLength(2);
      await runner.pruneOutput('p', 'T', 2);
      expect([...new Set((await reader.output('p', 'T', 0)).map((c) => c.iteration))]).toEqual([2, 3]);
      expect(await reader.output('p', 'U', 0)).toHaveLength(1);
    } finally {
      await runner.close();
      await reader.close();
    }
  });

  if (name === 'postgres') {
    it('a listener whose connection is cut says so, listens again with backoff, and asks for a resync', async () => {
      const open = await place();
      const runner = await open();
      const person = await open();
      const got: StoreSignal[] = [];
      const trouble: (string | null)[] = [];
      const stop = await runner.listen('p', (s) => got.push(s), (m) => trouble.push(m));
      try {
        // Cut every LISTEN connection as an operator (or a network) would.
        const admin = new pg.Client({ connectionString: await adminUrlOf(runner) });
        await admin.connect();
        await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query ILIKE 'LISTEN%' AND pid <> pg_backend_pid()`);
        await admin.end();
        await waitFor(got, 1, 10_000);
        expect(got[0]).toEqual({ project: 'p', kind: 'resync', task_id: null });
        expect(trouble[0]).toMatch(/lost the connection to the state database .*listening for decisions again in 0\.5 s/);
        expect(trouble.at(-1)).toBeNull();
        expect(trouble.join(' ')).not.toContain(new URL(await adminUrlOf(runner)).password);
        await person.signal({ project: 'p', kind: 'decision', task_id: 'A' });
        await waitFor(got, 2);
        expect(got[1]).toEqual({ project: 'p', kind: 'decision', task_id: 'A' });
      } finally {
        await stop();
        await runner.close();
        await person.close();
      }
    });
  }
});

async function adminUrlOf(_store: Store): Promise<string> {
  const { clusterUrl } = await import('../helpers/postgres.js');
  return clusterUrl();
}
