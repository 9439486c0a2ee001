import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/state/open-store.js';
import type { Store } from '../../src/state/store.js';
import { makeWorkspace, removeWorkspaces } from '../helpers/workspace.js';

afterEach(removeWorkspaces);

const row = (taskId: string, status: string) => ({ task_id: taskId, status, file_status: null, iterations: 0, base_iteration: 0, last_error: null, reason: null });
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function withStore(fn: (store: Store) => Promise<void>): Promise<void> {
  const store = await openStore(path.join(makeWorkspace(), '.aibrain', 'state.db'));
  try {
    await fn(store);
  } finally {
    await store.close();
  }
}

describe('store transactions', () => {
  it('keep other work of the process out: a write made meanwhile waits, and survives the rollback', async () => {
    await withStore(async (store) => {
      const order: string[] = [];
      const tx = store
        .transaction(async (t) => {
          await t.saveTask('p', row('A', 'in_progress'));
          order.push('tx wrote A');
          await pause(30);
          throw new Error('rolled back');
        })
        .catch((e: Error) => order.push(e.message));
      await pause(5);
      const outside = store.saveTask('p', row('B', 'complete')).then(() => order.push('outside wrote B'));
      await Promise.all([tx, outside]);
      expect(order).toEqual(['tx wrote A', 'rolled back', 'outside wrote B']);
      expect(await store.task('p', 'A')).toBeUndefined();
      expect((await store.task('p', 'B'))?.status).toBe('complete');
    });
  });

  it('run one after the other, in the order asked', async () => {
    await withStore(async (store) => {
      const order: number[] = [];
      await Promise.all(
        [1, 2, 3].map((n) =>
          store.transaction(async (t) => {
            await t.saveTask('p', row(`T${n}`, 'pending'));
            await pause(5);
            order.push(n);
          }),
        ),
      );
      expect(order).toEqual([1, 2, 3]);
      expect((await store.tasks('p')).size).toBe(3);
    });
  });

  it('nest: an inner transaction that throws rolls back alone', async () => {
    await withStore(async (store) => {
      await store.transaction(async (t) => {
        await t.saveTask('p', row('OUTER', 'pending'));
        await t.transaction(async (inner) => {
          await inner.saveTask('p', row('INNER', 'pending'));
          throw new Error('inner fails');
        }).catch(() => undefined);
      });
      expect(await store.task('p', 'OUTER')).toBeDefined();
      expect(await store.task('p', 'INNER')).toBeUndefined();
    });
  });

  it('refuse the store of a transaction once it has ended', async () => {
    await withStore(async (store) => {
      let leaked: Store | undefined;
      await store.transaction(async (t) => {
        leaked = t;
      });
      await expect(leaked!.task('p', 'A')).rejects.toThrow(/after the transaction ended/);
    });
  });
});
