import { afterEach, describe, expect, it } from 'vitest';
import { taskTotals } from '../../src/state/iteration-metrics.js';
import { chainHash } from '../../src/state/store.js';
import { removeWorkspaces } from '../helpers/workspace.js';
import { STORES, withStore } from './stores.js';

afterEach(removeWorkspaces);

// The store's contract, one suite for both: what the engine, the records and the CLI rely on.
describe.each(STORES)('$name store', ({ open }) => {
  it('keeps tasks, iterations, steps and their figures', async () => {
    await withStore(open, async (store) => {
      await store.saveTask('p', { task_id: 'A', status: 'in_progress', file_status: 'pending', iterations: 1, base_iteration: 0, last_error: null, reason: null });
      await store.saveTask('p', { task_id: 'A', status: 'complete', file_status: 'ignored on update', iterations: 1, base_iteration: 0, last_error: null, reason: 'done' });
      await store.setFileStatus('p', 'A', 'complete');
      expect(await store.task('p', 'A')).toMatchObject({ status: 'complete', file_status: 'complete', iterations: 1, reason: 'done' });
      const id = await store.beginIteration('p', 'A', 1, 'run-1');
      expect(typeof id).toBe('number');
      expect((await store.runningIterations('p')).map((i) => i.id)).toEqual([id]);
      await store.saveIterationMetrics({
        iteration_id: id, project: 'p', task_id: 'A', n: 1, run_id: 'run-1', cost_usd: 0.25, input_tokens: 10, output_tokens: 5, cached_tokens: null, turns: 2,
        duration_ms: 1200, retries: 0, session_id: 's', model: 'm', checkpoint: null, checkpoint_branch: null, log_file: null, stop_reason: null,
      });
      await store.endIteration(id, { state: 'done', verdict: 'PASS', promiseMet: true, error: null, outputTail: 'ok' });
      expect(await store.runningIterations('p')).toEqual([]);
      const [it1] = await store.iterationsWithMetrics('p', 'A');
      expect(it1).toMatchObject({ iteration_id: id, state: 'done', verdict: 'PASS', promise_met: 1, cost_usd: 0.25, duration_ms: 1200, retries: 0 });
      expect(await store.runCost('run-1')).toBe(0.25);
      expect(await store.runCost('run-none')).toBe(0);
      expect((await taskTotals(store, 'p', () => 0)).get('A')).toMatchObject({ iterations: 1, cost_usd: 0.25, tokens: 15, turns: 2 });
      await store.beginStep('p', 'A', 1, 'deploy');
      await store.beginStep('p', 'A', 1, 'deploy');
      expect(await store.step('p', 'A', 1, 'deploy')).toMatchObject({ state: 'running', runs: 2 });
      await store.endStep('p', 'A', 1, 'deploy', '"v1"');
      expect(await store.latestDoneStep('p', 'A', 'deploy')).toEqual({ result: '"v1"' });
      await store.beginStep('p', 'A', 2, 'migrate');
      await store.interruptStep('p', 'A', 2, 'migrate');
      await store.interruptStep('p', 'A', 1, 'deploy');
      // The current attempt's: after the task's base iteration (0, then 1).
      expect(await store.interruptedSteps('p', 'A')).toEqual([{ iteration: 1, name: 'deploy' }, { iteration: 2, name: 'migrate' }]);
      await store.saveTask('p', { task_id: 'A', status: 'in_progress', file_status: null, iterations: 2, base_iteration: 1, last_error: null, reason: null });
      expect(await store.interruptedSteps('p', 'A')).toEqual([{ iteration: 2, name: 'migrate' }]);
      await store.addEvent('p', 'run-1', 'A', 'task:start', { n: 1 });
    });
  });

  it('keeps the signature a decision was given with beside its record (issue 24)', async () => {
    await withStore(open, async (store) => {
      await store.insertDecision('p', 'd-s', 'A', 'approve', 'f1', '{"id":"d-s","signature":{"key":"SHA256:k"}}', '{"key":"SHA256:k"}');
      await store.insertDecision('p', 'd-u', 'A', 'reject', 'f1', '{"id":"d-u"}');
      expect(await store.decisionSignatures()).toEqual([
        { seq: 1, id: 'd-s', signature: '{"key":"SHA256:k"}' },
        { seq: 2, id: 'd-u', signature: null },
      ]);
    });
  });

  it('keeps records once, and which are in their files', async () => {
    await withStore(open, async (store) => {
      await store.insertDeployment('p', 'dep-1', '{"id":"dep-1"}');
      await store.insertDeployment('p', 'dep-1', '{"id":"dep-1","again":true}');
      await store.insertDeployment('q', 'dep-2', '{"id":"dep-2"}');
      expect((await store.deployments('p')).map((r) => r.record)).toEqual(['{"id":"dep-1"}']);
      const ids = await store.recordIds('deployments');
      expect(ids.map((r) => r.id)).toEqual(['dep-1', 'dep-2']);
      expect((await store.recordsAfter('deployments', 0)).map((r) => r.id)).toEqual(['dep-1', 'dep-2']);
      expect((await store.recordsAfter('deployments', ids[0]!.seq)).map((r) => r.id)).toEqual(['dep-2']);
      await store.insertDecision('p', 'd-1', 'A', 'approve', 'f1', '{"id":"d-1"}');
      await expect(store.insertDecision('p', 'd-1', 'A', 'approve', 'f1', '{}')).rejects.toThrow();
      expect(await store.taskDecisions('p', 'A')).toMatchObject([{ id: 'd-1', decision: 'approve', fingerprint: 'f1' }]);
      const [decision] = await store.recordIds('decisions');
      expect(await store.recordsAfter('decisions', decision!.seq)).toEqual([]);
      await store.useApproval('p', 'A', 'd-1', 3, 'run-1');
      await store.useApproval('p', 'A', 'd-1', 4, 'run-2');
      expect(await store.approvalUse('d-1')).toMatchObject({ attempt: 3, run_id: 'run-1' });
      const key = store.projectionKey('/w/.aibrain/deployments.json');
      // one machine's file beside state.db, or each machine's own file on a shared database
      const elsewhere = store.projectionKey('/other/.aibrain/deployments.json');
      if (store.sharedByRunners) expect(elsewhere).not.toBe(key);
      else expect(elsewhere).toBe(key);
      await store.setProjectionMark(key, { seq: 2, stamp: '1:2:3' });
      expect(await store.projectionMark(key)).toEqual({ seq: 2, stamp: '1:2:3' });
      await store.setProjectionMark(key, { seq: 3, stamp: null });
      expect(await store.projectionMark(key)).toEqual({ seq: 3, stamp: null });
      await store.setProjectionMark(key, null);
      expect(await store.projectionMark(key)).toBeUndefined();
    });
  });

  it('holds the project lock for one loop; a dead holder on this host is replaced', async () => {
    await withStore(open, async (store) => {
      expect(await store.acquireLock('p', 'run-1', () => true)).toEqual({ ok: true });
      const refused = await store.acquireLock('p', 'run-2', () => true);
      expect(refused).toMatchObject({ ok: false, holder: { run_id: 'run-1', pid: process.pid } });
      const taken = await store.acquireLock('p', 'run-3', () => false);
      expect(taken).toMatchObject({ ok: true, tookOverFrom: { run_id: 'run-1' } });
      expect((await store.lockHolder('p'))?.run_id).toBe('run-3');
      await store.releaseLock('p', 'run-1');
      expect((await store.lockHolder('p'))?.run_id).toBe('run-3');
      expect((await store.forceUnlock('p'))?.run_id).toBe('run-3');
      expect(await store.lockHolder('p')).toBeUndefined();
      await store.startRun('p', 'run-20260101-a', 'ana');
      await store.startRun('p', 'run-20260101-b', 'bob');
      await store.startRun('p', 'rollback-x', 'eve');
      await store.endRun('run-20260101-a', 0);
      expect(await store.lastRunStarter('p')).toEqual({ run_id: 'run-20260101-b', os_user: 'bob' });
      await store.addProcess('p', 'run-1', 4242, '99');
      expect(await store.processes('p')).toEqual([{ pid: 4242, start_time: '99', run_id: 'run-1' }]);
      await store.removeProcess('p', 4242);
      expect(await store.processes('p')).toEqual([]);
      await store.setEnvironmentHealth('p', 'staging', 'rollback failed');
      expect(await store.environmentHealth('p')).toMatchObject([{ environment: 'staging', state: 'degraded', reason: 'rollback failed' }]);
      await store.setEnvironmentHealth('p', 'staging', null);
      expect(await store.environmentHealth('p')).toEqual([]);
    });
  });
  it('chains and counts the record tables; rechain computes the chain again', async () => {
    await withStore(open, async (store) => {
      await store.insertDeployment('p', 'd1', '{"a":1}');
      await store.insertDeployment('p', 'd2', '{"a":2}');
      await store.insertDeployment('p', 'd1', '{"again":1}');
      await store.transaction(async (tx) => tx.insertDecision('p', 'x1', 'A', 'approve', 'fp', '{"d":1}'));
      const first = chainHash('', 'd1', '{"a":1}');
      expect(await store.chainedRecords('deployments')).toMatchObject([
        { id: 'd1', record: '{"a":1}', chain: first },
        { id: 'd2', record: '{"a":2}', chain: chainHash(first, 'd2', '{"a":2}') },
      ]);
      expect((await store.chainedRecords('decisions')).map((r) => r.chain)).toEqual([chainHash('', 'x1', '{"d":1}')]);
      expect(await store.recordCount('deployments')).toEqual({ rows: 2, inserted: 2 });
      expect(await store.recordCount('decisions')).toEqual({ rows: 1, inserted: 1 });
      const before = await store.chainedRecords('deployments');
      await store.rechain('deployments');
      expect(await store.chainedRecords('deployments')).toEqual(before);
      expect(await store.recordCount('deployments')).toEqual({ rows: 2, inserted: 2 });
    });
  });

  it('keeps the gate subject a person saw, and provisioning records once', async () => {
    await withStore(open, async (store) => {
      expect(await store.gateSubject('p', 'A')).toBeUndefined();
      await store.saveGateSubject('p', 'A', 'f1', '{"s":1}');
      await store.saveGateSubject('p', 'A', 'f2', '{"s":2}');
      expect(await store.gateSubject('p', 'A')).toMatchObject({ fingerprint: 'f2', subject: '{"s":2}' });
      await store.insertProvisioning('p', 'v1', 'A', '{"v":1}');
      await store.insertProvisioning('p', 'v1', 'A', '{"v":"again"}');
      await store.insertProvisioning('q', 'v2', 'B', '{"v":2}');
      expect((await store.provisioning()).map((r) => [r.id, r.record])).toEqual([['v1', '{"v":1}'], ['v2', '{"v":2}']]);
      expect((await store.provisioning('q')).map((r) => r.id)).toEqual(['v2']);
    });
  });
});
