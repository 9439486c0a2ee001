import { afterEach, describe, expect, it } from 'vitest';
import { removeWorkspaces } from '../helpers/workspace.js';
import { STORES, withStore } from './stores.js';

afterEach(removeWorkspaces);

const fileA = { fileKey: 'hostA:/w/a/tasks/work_queue_p.json', host: 'hostA', path: '/w/a/tasks/work_queue_p.json' };
const fileB = { fileKey: 'hostB:/w/b/tasks/work_queue_p.json', host: 'hostB', path: '/w/b/tasks/work_queue_p.json' };
const def = (id: string, description: string) => ({ task_id: id, definition: JSON.stringify({ id, description }), position: 0 });

// The queue in the store (issue 23 item 4): the same contract on both stores.
describe.each(STORES)('$name store: the queue under a revision, and each machine its own file marks', ({ open }) => {
  it('a push swaps only the revision it read: a second push from the same revision loses and writes nothing', async () => {
    await withStore(open, async (store) => {
      expect(await store.storedQueue('p')).toEqual({ revision: 0, tasks: [] });
      expect(await store.pushQueue('p', 0, fileA.fileKey, [def('A', 'one'), { ...def('B', 'two'), position: 1 }])).toEqual({ ok: true, revision: 1 });
      // B read revision 0 too: it loses, and nothing of it is written.
      expect(await store.pushQueue('p', 0, fileB.fileKey, [def('A', 'other')])).toEqual({ ok: false, revision: 1 });
      expect(await store.pushQueue('p', 1, fileB.fileKey, [def('C', 'three')].map((d) => ({ ...d, position: 2 })))).toEqual({ ok: true, revision: 2 });
      const stored = await store.storedQueue('p');
      expect(stored.revision).toBe(2);
      expect(stored.tasks.map((t) => [t.task_id, JSON.parse(t.definition).description, t.revision, t.source])).toEqual([
        ['A', 'one', 1, fileA.fileKey],
        ['B', 'two', 1, fileA.fileKey],
        ['C', 'three', 2, fileB.fileKey],
      ]);
      // Inside a transaction that rolls back, a won push is undone too.
      await expect(
        store.transaction(async (tx) => {
          expect((await tx.pushQueue('p', 2, fileA.fileKey, [def('A', 'rolled back')])).ok).toBe(true);
          throw new Error('no');
        }),
      ).rejects.toThrow('no');
      expect((await store.storedQueue('p')).revision).toBe(2);
      expect(await store.storedQueue('q')).toEqual({ revision: 0, tasks: [] });
    });
  });

  it("keeps each machine's marks apart; a field left out keeps its value", async () => {
    await withStore(open, async (store) => {
      await store.saveFileMarks('p', fileA, [{ task_id: 'A', status: 'complete', definition: 'dA', base: 'dA' }]);
      await store.saveFileMarks('p', fileB, [{ task_id: 'A', status: 'pending', definition: 'dB' }]);
      await store.saveFileMarks('p', fileA, [{ task_id: 'A', status: 'blocked' }]);
      expect(await store.fileMarks('p', fileA.fileKey)).toEqual(new Map([['A', { file_key: fileA.fileKey, task_id: 'A', status: 'blocked', was: null, definition: 'dA', base: 'dA' }]]));
      expect((await store.fileMarks('p', fileB.fileKey)).get('A')).toEqual({ file_key: fileB.fileKey, task_id: 'A', status: 'pending', was: null, definition: 'dB', base: null });
      // `was` (what the file held before a status write not known to have landed) goes with each save
      // of a status, and stays across a save of the definition alone.
      await store.saveFileMarks('p', fileA, [{ task_id: 'A', status: 'complete', was: 'blocked' }]);
      await store.saveFileMarks('p', fileA, [{ task_id: 'A', definition: 'dA2' }]);
      expect((await store.fileMarks('p', fileA.fileKey)).get('A')).toMatchObject({ status: 'complete', was: 'blocked', definition: 'dA2' });
      await store.saveFileMarks('p', fileA, [{ task_id: 'A', status: 'complete' }]);
      expect((await store.fileMarks('p', fileA.fileKey)).get('A')).toMatchObject({ status: 'complete', was: null });
      await store.saveFileMarks('p', fileA, [{ task_id: 'A', status: 'blocked', definition: 'dA' }]);
      expect((await store.allFileMarks('p')).map((m) => m.file_key)).toEqual([fileA.fileKey, fileB.fileKey]);
      expect((await store.queueFiles('p')).map((f) => [f.host, f.path])).toEqual([
        [fileA.host, fileA.path],
        [fileB.host, fileB.path],
      ]);
      expect(await store.fileMarks('q', fileA.fileKey)).toEqual(new Map());
    });
  });

  it("forgets one machine's file (row and marks) and no other's; a file it does not have is false", async () => {
    await withStore(open, async (store) => {
      await store.saveFileMarks('p', fileA, [{ task_id: 'A', status: 'complete', definition: 'dA' }]);
      await store.saveFileMarks('p', fileB, [{ task_id: 'A', status: 'pending', definition: 'dB' }]);
      await store.saveFileMarks('q', fileA, [{ task_id: 'A', status: 'pending', definition: 'dQ' }]);
      expect(await store.forgetQueueFile('p', fileA.fileKey)).toBe(true);
      expect((await store.allFileMarks('p')).map((m) => m.file_key)).toEqual([fileB.fileKey]);
      expect((await store.queueFiles('p')).map((f) => f.file_key)).toEqual([fileB.fileKey]);
      expect((await store.allFileMarks('q')).map((m) => m.file_key)).toEqual([fileA.fileKey]);
      expect(await store.forgetQueueFile('p', fileA.fileKey)).toBe(false);
    });
  });
});
