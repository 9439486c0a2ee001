import { afterEach, describe, expect, it } from 'vitest';
import { FencedWriteError, fenceStore } from '../../src/state/fenced-store.js';
import { removeWorkspaces } from '../helpers/workspace.js';
import { STORE_PLACES, STORES, withStore } from './stores.js';

afterEach(removeWorkspaces);

const runner = (runnerId: string, labels: string[] = []) => ({ runnerId, project: 'p', host: 'h1', pid: 1234, labels });
const pending = (id: string) => ({ task_id: id, status: 'pending', file_status: 'pending', iterations: 0, base_iteration: 0, last_error: null, reason: null });

// Runners and claims: the same contract on both stores (issue 23).
// What a claim reads of a task no iteration has run for yet (claimTask hands it on: no second read).
const untouched = { row: { status: 'pending', iterations: 0, base_iteration: 0, last_error: null, reason: null }, cutOff: false, interrupted: false };
describe.each(STORES)('$name store: runners and claims', ({ open }) => {
  it('claims each task once, takes over a claim whose lease ran out, and fences the old token', async () => {
    await withStore(open, async (store) => {
      for (const id of ['A', 'B']) await store.saveTask('p', pending(id));
      await store.saveTask('p', { ...pending('C'), status: 'complete' });
      await store.registerRunner(runner('r1', ['prod']), 60_000);
      await store.registerRunner(runner('r2'), 60_000);
      const a = await store.claimTask('p', 'r1', ['A', 'B', 'C'], 60_000);
      expect(a).toEqual({ taskId: 'A', token: 1, tookOverFrom: null, ...untouched });
      // r2 asks for the same tasks: A is held, so it gets B; a complete task is never claimed.
      expect(await store.claimTask('p', 'r2', ['A', 'B', 'C'], 60_000)).toEqual({ taskId: 'B', token: 1, tookOverFrom: null, ...untouched });
      expect(await store.claimTask('p', 'r2', ['A', 'C'], 60_000)).toBeUndefined();
      // The holder asking again keeps its token.
      expect(await store.claimTask('p', 'r1', ['A'], 60_000)).toEqual({ taskId: 'A', token: 1, tookOverFrom: null, ...untouched });
      expect(await store.transaction((tx) => tx.holdsClaim('p', 'A', 'r1', 1))).toBe(true);
      expect(await store.renewLease('r1', 60_000)).toEqual([{ taskId: 'A', token: 1 }]);

      // r1's lease runs out (renewed with a lease of 1 ms): r2 takes A over with a larger token.
      await store.renewLease('r1', 1);
      await new Promise((r) => setTimeout(r, 30));
      expect(await store.claimTask('p', 'r2', ['A'], 60_000)).toEqual({ taskId: 'A', token: 2, tookOverFrom: 'r1', ...untouched });
      expect(await store.transaction((tx) => tx.holdsClaim('p', 'A', 'r1', 1))).toBe(false);
      expect(await store.transaction((tx) => tx.holdsClaim('p', 'A', 'r2', 2))).toBe(true);
      expect(await store.renewLease('r1', 60_000)).toEqual([]);

      const runners = await store.runners('p');
      expect(runners.map((r) => [r.runner_id, r.host, r.pid, r.labels, r.alive])).toEqual([
        ['r1', 'h1', 1234, ['prod'], true],
        ['r2', 'h1', 1234, [], true],
      ]);
      expect(Date.parse(runners[0]?.heartbeat_at ?? '')).toBeGreaterThan(Date.now() - 60_000);
      const claims = await store.claims('p');
      expect(claims.map((c) => [c.task_id, c.runner_id, c.token, c.live])).toEqual([
        ['A', 'r2', 2, true],
        ['B', 'r2', 1, true],
      ]);

      // Released: no longer held, and the next claim gets a larger token (tokens never repeat).
      await store.releaseClaim('p', 'B', 'r2', 1);
      expect(await store.transaction((tx) => tx.holdsClaim('p', 'B', 'r2', 1))).toBe(false);
      expect(await store.claimTask('p', 'r1', ['B'], 60_000)).toEqual({ taskId: 'B', token: 2, tookOverFrom: null, ...untouched });

      await store.stopRunner('r2');
      const after = await store.runners('p');
      expect(after.find((r) => r.runner_id === 'r2')).toMatchObject({ alive: false, stopped: true });
      expect((await store.claims('p')).find((c) => c.task_id === 'A')?.live).toBe(false);
      expect(await store.claimTask('p', 'r1', ['A'], 60_000)).toEqual({ taskId: 'A', token: 3, tookOverFrom: null, ...untouched });
    });
  });

  it('hands on the task as the claim read it: what the last runner left, and whether an iteration was left running', async () => {
    await withStore(open, async (store) => {
      await store.saveTask('p', { ...pending('A'), status: 'in_progress', iterations: 2, base_iteration: 1, last_error: 'exit 1' });
      await store.registerRunner(runner('r1'), 60_000);
      await store.registerRunner(runner('r2'), 60_000);
      const first = await store.claimTask('p', 'r1', ['A'], 60_000);
      expect(first).toMatchObject({ row: { status: 'in_progress', iterations: 2, base_iteration: 1, last_error: 'exit 1', reason: null }, cutOff: false });
      // r1 begins iteration 3 and stops renewing: r2's claim says an iteration of A is still marked running.
      await store.beginIteration('p', 'A', 3, 'run-r1');
      await store.renewLease('r1', 1);
      await new Promise((r) => setTimeout(r, 30));
      expect(await store.claimTask('p', 'r2', ['A'], 60_000)).toMatchObject({ token: 2, tookOverFrom: 'r1', row: { iterations: 2 }, cutOff: true });
    });
  });

  it('hands on whether steps of the current attempt are marked interrupted; the fenced store reads them again once it marks one', async () => {
    await withStore(open, async (store) => {
      for (const id of ['A', 'B']) await store.saveTask('p', { ...pending(id), status: 'in_progress', iterations: 2, base_iteration: 1 });
      await store.registerRunner(runner('r1'), 60_000);
      // A: a step of iteration 2 (this attempt) interrupted; B: one of iteration 1 (an attempt a person has since approved again).
      await store.beginStep('p', 'A', 2, 'migrate');
      await store.interruptStep('p', 'A', 2, 'migrate');
      await store.beginStep('p', 'B', 1, 'migrate');
      await store.interruptStep('p', 'B', 1, 'migrate');
      const a = await store.claimTask('p', 'r1', ['A'], 60_000);
      const b = await store.claimTask('p', 'r1', ['B'], 60_000);
      expect([a?.interrupted, b?.interrupted]).toEqual([true, false]);

      // B's claim said none: its fenced store answers so without reading, until it marks one itself.
      const fenced = fenceStore(store, { project: 'p', taskId: 'B', runnerId: 'r1', token: b?.token ?? 0 }, () => undefined, { noInterruptedSteps: !b?.interrupted });
      expect(await fenced.interruptedSteps('p', 'B')).toEqual([]);
      expect(await fenced.interruptedSteps('p', 'A')).toEqual([{ iteration: 2, name: 'migrate' }]); // another task: read
      await fenced.beginStep('p', 'B', 3, 'deploy');
      await fenced.transaction((tx) => tx.interruptStep('p', 'B', 3, 'deploy'));
      expect(await fenced.interruptedSteps('p', 'B')).toEqual([{ iteration: 3, name: 'deploy' }]);
    });
  });

  it('names the tasks cut off: claimed by another runner whose lease ran out, never released, still to run', async () => {
    await withStore(open, async (store) => {
      for (const id of ['A', 'B', 'C', 'D']) await store.saveTask('p', pending(id));
      for (const r of ['r1', 'r2', 'r3']) await store.registerRunner(runner(r), 60_000);
      for (const id of ['A', 'B', 'C']) await store.claimTask('p', 'r1', [id], 60_000);
      await store.claimTask('p', 'r3', ['D'], 60_000);
      expect(await store.cutOffClaims('p', 'r2')).toEqual([]);
      // r1 stops renewing (its lease runs out): A in progress and B pending are cut off; C was released, then r1 died.
      await store.saveTask('p', { ...pending('A'), status: 'in_progress', iterations: 1 });
      await store.releaseClaim('p', 'C', 'r1', 1);
      await store.renewLease('r1', 1);
      await new Promise((r) => setTimeout(r, 30));
      expect(await store.cutOffClaims('p', 'r2')).toEqual([
        { task_id: 'A', runner_id: 'r1' },
        { task_id: 'B', runner_id: 'r1' },
      ]);
      // Not to the runner that held them (it would lose them at its next heartbeat), nor once settled or taken over.
      expect(await store.cutOffClaims('p', 'r1')).toEqual([]);
      await store.saveTask('p', { ...pending('B'), status: 'complete' });
      expect((await store.claimTask('p', 'r2', ['A'], 60_000))?.tookOverFrom).toBe('r1');
      expect(await store.cutOffClaims('p', 'r2')).toEqual([]);
      expect(await store.cutOffClaims('p', 'r3')).toEqual([]);
    });
  });

  it('fences every write of a claimed task by its token: after a takeover nothing more is written and the runner is told', async () => {
    await withStore(open, async (store) => {
      await store.saveTask('p', pending('A'));
      await store.registerRunner(runner('r1'), 60_000);
      await store.registerRunner(runner('r2'), 60_000);
      const mine = await store.claimTask('p', 'r1', ['A'], 60_000);
      const told: FencedWriteError[] = [];
      const fenced = fenceStore(store, { project: 'p', taskId: 'A', runnerId: 'r1', token: mine?.token ?? 0 }, (e) => told.push(e));
      const id = await fenced.beginIteration('p', 'A', 1, 'r1');
      await fenced.transaction(async (tx) => {
        await tx.endIteration(id, { state: 'done', verdict: 'FAIL', promiseMet: false, error: null, outputTail: null });
        await tx.saveTask('p', { ...pending('A'), status: 'in_progress', iterations: 1 });
      });
      expect((await store.task('p', 'A'))?.status).toBe('in_progress');
      // r1 is paused past its lease; r2 takes the task over.
      await store.renewLease('r1', 1);
      await new Promise((r) => setTimeout(r, 30));
      expect((await store.claimTask('p', 'r2', ['A'], 60_000))?.token).toBe(2);
      await expect(fenced.saveTask('p', { ...pending('A'), status: 'complete', iterations: 1 })).rejects.toBeInstanceOf(FencedWriteError);
      await expect(fenced.beginIteration('p', 'A', 2, 'r1')).rejects.toBeInstanceOf(FencedWriteError);
      await expect(fenced.transaction(async (tx) => tx.addEvent('p', 'r1', 'A', 'task:end'))).rejects.toBeInstanceOf(FencedWriteError);
      await expect(fenced.insertDeployment('p', 'd-1', '{}')).rejects.toBeInstanceOf(FencedWriteError);
      expect(told).toHaveLength(4);
      expect((await store.task('p', 'A'))?.status).toBe('in_progress');
      expect(await store.iterations('p', 'A')).toHaveLength(1);
      expect(await store.deployments('p')).toEqual([]);
      // Reads still work for the fenced runner.
      expect((await fenced.task('p', 'A'))?.iterations).toBe(1);
    });
  });

  it('claims tasks whatever their ids hold (quotes, backslashes, commas, braces, the word NULL), in the order asked', async () => {
    await withStore(open, async (store) => {
      const ids = ['a"b', 'c\\d', 'e,f', '{g}', 'NULL', "h'i", ' j '];
      for (const id of ids) await store.saveTask('p', pending(id));
      await store.registerRunner(runner('r1'), 60_000);
      const got: string[] = [];
      for (;;) {
        const c = await store.claimTask('p', 'r1', [...ids].reverse(), 60_000);
        if (!c) break;
        got.push(c.taskId);
        await store.saveTask('p', { ...pending(c.taskId), status: 'complete' });
      }
      expect(got).toEqual([...ids].reverse());
    });
  });
});

describe.each(STORE_PLACES)('$name store: a claim let go', ({ place, open }) => {
  it('is let go for every other runner: with the next transaction, after a moment with none, and when the store closes', async () => {
    const where = await place();
    const mine = await open(where);
    const other = await open(where);
    try {
      for (const id of ['A', 'B', 'C']) await mine.saveTask('p', pending(id));
      await mine.registerRunner(runner('r1'), 60_000);
      await other.registerRunner(runner('r2'), 60_000);
      const held = async (id: string) => (await other.claims('p')).find((c) => c.task_id === id)?.live;
      for (const id of ['A', 'B', 'C']) await mine.claimTask('p', 'r1', [id], 60_000);
      // With the next transaction of the store that let it go.
      await mine.releaseClaim('p', 'A', 'r1', 1);
      await mine.transaction((tx) => tx.addEvent('p', 'r1', 'B', 'task:start'));
      expect(await held('A')).toBe(false);
      // With no transaction after it: within a moment.
      await mine.releaseClaim('p', 'B', 'r1', 1);
      await new Promise((r) => setTimeout(r, 200));
      expect(await held('B')).toBe(false);
      // Let go just before the store closes.
      await mine.releaseClaim('p', 'C', 'r1', 1);
      await mine.close();
      expect(await held('C')).toBe(false);
      expect(await other.claimTask('p', 'r2', ['C'], 60_000)).toMatchObject({ taskId: 'C', token: 2, tookOverFrom: null });
    } finally {
      await mine.close();
      await other.close();
    }
  });
});
