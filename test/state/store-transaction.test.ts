import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/state/store.js';
import { removeWorkspaces } from '../helpers/workspace.js';
import { STORES, withStore } from './stores.js';

afterEach(removeWorkspaces);

const row = (taskId: string, status: string) => ({ task_id: taskId, status, file_status: null, iterations: 0, base_iteration: 0, last_error: null, reason: null });
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(STORES)('$name store transactions', ({ open }) => {
  it('keep other work of the process out: a write made meanwhile is not part of it, and survives its rollback', async () => {
    await withStore(open, async (store) => {
      const tx = store
        .transaction(async (t) => {
          await t.saveTask('p', row('A', 'in_progress'));
          await pause(30);
          throw new Error('rolled back');
        })
        .catch((e: Error) => e.message);
      await pause(5);
      const outside = store.saveTask('p', row('B', 'complete'));
      const [said] = await Promise.all([tx, outside]);
      expect(said).toBe('rolled back');
      expect(await store.task('p', 'A')).toBeUndefined();
      expect((await store.task('p', 'B'))?.status).toBe('complete');
    });
  });

  it('run one at a time', async () => {
    await withStore(open, async (store) => {
      let inside = 0;
      let most = 0;
      await Promise.all(
        [1, 2, 3, 4].map((n) =>
          store.transaction(async (t) => {
            most = Math.max(most, ++inside);
            await t.saveTask('p', row(`T${n}`, 'pending'));
            await pause(5);
            inside--;
          }),
        ),
      );
      expect(most).toBe(1);
      expect((await store.tasks('p')).size).toBe(4);
    });
  });

  it('nest: an inner transaction that throws rolls back alone', async () => {
    await withStore(open, async (store) => {
      await store.transaction(async (t) => {
        await t.saveTask('p', row('OUTER', 'pending'));
        await t
          .transaction(async (inner) => {
            await inner.saveTask('p', row('INNER', 'pending'));
            throw new Error('inner fails');
          })
          .catch(() => undefined);
      });
      expect(await store.task('p', 'OUTER')).toBeDefined();
      expect(await store.task('p', 'INNER')).toBeUndefined();
    });
  });

  it('refuse the store of a transaction once it has ended', async () => {
    await withStore(open, async (store) => {
      let leaked: Store | undefined;
      await store.transaction(async (t) => {
        leaked = t;
      });
      await expect(leaked!.task('p', 'A')).rejects.toThrow(/after the transaction ended/);
    });
  });
});
