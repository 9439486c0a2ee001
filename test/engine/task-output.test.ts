import { afterEach, describe, expect, it } from 'vitest';
import { STORED_OUTPUT_ITERATIONS, STORED_OUTPUT_PER_ITERATION, TaskOutput } from '../../src/engine/task-output.js';
import { removeWorkspaces } from '../helpers/workspace.js';
import { STORES, withStore } from '../state/stores.js';

afterEach(removeWorkspaces);

describe.each(STORES)('the tasks’ output in the $name store', ({ open }) => {
  it('is bounded per iteration (the cut said once) and pruned to the last iterations of a task', async () => {
    await withStore(open, async (store) => {
      const errors: unknown[] = [];
      const output = new TaskOutput(store, 'p', 'run-1', (e) => errors.push(e));
      const line = 'x'.repeat(1023);
      for (let i = 0; i < 400; i++) output.add('T', 1, line); // 400 KB into one iteration
      for (const n of [2, 3, 4]) {
        await output.flush();
        output.add('T', n, `iteration ${n}`);
      }
      await output.close();
      expect(errors).toEqual([]);
      const chunks = await store.output('p', 'T', 0, 10_000);
      expect([...new Set(chunks.map((c) => c.iteration))]).toEqual([2, 3, 4].slice(-STORED_OUTPUT_ITERATIONS));
      // Iteration 1, pruned above, is kept bounded while it is there:
      const one = new TaskOutput(store, 'p', 'run-2', (e) => errors.push(e));
      for (let i = 0; i < 400; i++) one.add('U', 1, line);
      await one.close();
      const text = (await store.output('p', 'U', 0, 10_000)).map((c) => c.chunk).join('');
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(STORED_OUTPUT_PER_ITERATION + 1024);
      expect(text.match(/more output than the 256 KB a stored iteration keeps/g)).toHaveLength(1);
    });
  });
});
