import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EngineEmitter } from '../../src/engine/events.js';
import { runLoop } from '../../src/engine/run-loop.js';
import { makeWorkspace, nodeTask, readJson, removeWorkspaces, waitFor, writeQueue } from '../helpers/workspace.js';
import { isProcessAlive } from '../../src/state/is-process-alive.js';

afterEach(removeWorkspaces);

const statuses = (file: string): Record<string, string> =>
  Object.fromEntries(readJson<{ features: { id: string; status?: string }[] }>(file).features.map((t) => [t.id, t.status ?? '(none)']));

function writeContract(ws: string, extra = ''): void {
  mkdirSync(path.join(ws, 'governance', 'contracts'), { recursive: true });
  writeFileSync(
    path.join(ws, 'governance', 'contracts', 'operator-team.yaml'),
    `version: 1
environments:
  development: { auto_deploy: true, auto_rollback: true, approval: never }
  staging: { auto_deploy: true, auto_rollback: true, approval: first-time }
  production: { auto_deploy: false, auto_rollback: false, approval: always }
agents:
  command: { max_iterations: 4, timeout_seconds: 1 }
${extra}`,
  );
}

describe('the loop', () => {
  it('runs a task until its promise, on the third try', async () => {
    const ws = makeWorkspace();
    const counter = path.join(ws, 'count');
    const file = writeQueue(ws, 'p', { project: 'p', features: [nodeTask('A', 'promise-on-third.mjs', { max_iterations: 5 }, [counter])] });
    const summary = await runLoop({ root: ws, project: 'p' });
    expect(summary.exitCode).toBe(0);
    expect(readFileSync(counter, 'utf8')).toBe('3');
    expect(statuses(file)).toEqual({ A: 'complete' });
    expect(summary.tasks[0]!.iterations).toBe(3);
  });

  it('keeps the promise on the last allowed iteration too', async () => {
    const ws = makeWorkspace();
    const counter = path.join(ws, 'count');
    writeQueue(ws, 'p', { features: [nodeTask('A', 'promise-on-third.mjs', { max_iterations: 3 }, [counter])] });
    expect((await runLoop({ root: ws, project: 'p' })).exitCode).toBe(0);
  });

  it('fails a task whose budget is spent, skips its dependents and goes on with the rest', async () => {
    const ws = makeWorkspace();
    const file = writeQueue(ws, 'p', {
      features: [
        nodeTask('NEVER', 'never.mjs', { max_iterations: 2 }),
        { id: 'AFTER', agent_type: 'noop', depends_on: ['NEVER'] },
        { id: 'AFTER2', agent_type: 'noop', depends_on: ['AFTER'] },
        nodeTask('EXIT', 'fail.mjs', { max_iterations: 1 }),
        { id: 'FREE', agent_type: 'noop' },
      ],
    });
    const summary = await runLoop({ root: ws, project: 'p' });
    expect(summary.exitCode).toBe(1);
    expect(statuses(file)).toEqual({ NEVER: 'failed', AFTER: 'skipped', AFTER2: 'skipped', EXIT: 'failed', FREE: 'complete' });
    const after = summary.tasks.find((t) => t.spec.id === 'AFTER2')!;
    expect(after.reason).toBe('dependency AFTER skipped');
    expect(summary.tasks.find((t) => t.spec.id === 'EXIT')!.lastError).toMatch(/exited with code 3: something broke/);
  });

  it('stops a hung agent at its timeout, with its children', async () => {
    const ws = makeWorkspace();
    writeContract(ws);
    const pids = path.join(ws, 'pids');
    writeQueue(ws, 'p', { features: [nodeTask('HANG', 'hang.mjs', { max_iterations: 1 }, [pids])] });
    const summary = await runLoop({ root: ws, project: 'p' });
    expect(summary.exitCode).toBe(1);
    expect(summary.tasks[0]!.lastError).toMatch(/timed out/);
    const [parent, child] = readFileSync(pids, 'utf8').split(' ').map(Number);
    await waitFor(() => !isProcessAlive(parent!) && !isProcessAlive(child!), 5000, 'the hung processes to be gone');
  });

  it('does not count a promise that only echoes the prompt', async () => {
    const ws = makeWorkspace();
    writeQueue(ws, 'p', { features: [nodeTask('ECHO', 'echo-prompt.mjs', { max_iterations: 2, description: 'Say <promise>TASK_COMPLETE</promise> when done' })] });
    const summary = await runLoop({ root: ws, project: 'p' });
    expect(summary.tasks[0]!.status).toBe('failed');
  });

  it('runs independent tasks together with --concurrency', async () => {
    const ws = makeWorkspace();
    const log = path.join(ws, 'log');
    writeQueue(ws, 'p', { features: [nodeTask('A', 'slow-steps.mjs', {}, [log, '600']), nodeTask('B', 'slow-steps.mjs', {}, [log, '600'])] });
    const summary = await runLoop({ root: ws, project: 'p', concurrency: 2 });
    expect(summary.exitCode).toBe(0);
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    expect(lines.slice(0, 2).every((l) => l.startsWith('start'))).toBe(true);
  });

  it('caps the whole run with --max-iterations and resumes where it stopped', async () => {
    const ws = makeWorkspace();
    const counter = path.join(ws, 'count');
    const file = writeQueue(ws, 'p', { features: [nodeTask('A', 'promise-on-third.mjs', { max_iterations: 5 }, [counter])] });
    const first = await runLoop({ root: ws, project: 'p', maxIterations: 2 });
    expect(first.exitCode).toBe(1);
    expect(first.tasks[0]!.status).toBe('pending');
    // the file had no status: pending is what it says already, so nothing is injected
    expect(['(none)', 'pending']).toContain(statuses(file).A);
    const second = await runLoop({ root: ws, project: 'p' });
    expect(second.exitCode).toBe(0);
    expect(readFileSync(counter, 'utf8')).toBe('3');
    expect(second.tasks[0]!.iterations).toBe(3);
  });

  it('takes a person’s edits while it runs, and never writes over them', async () => {
    const ws = makeWorkspace();
    const log = path.join(ws, 'log');
    const file = writeQueue(ws, 'p', { features: [nodeTask('SLOW', 'slow-steps.mjs', {}, [log, '1500']), { id: 'LATER', agent_type: 'noop', depends_on: ['SLOW'], owner: 'ana' }] });
    const emitter = new EngineEmitter();
    const started = new Promise<void>((r) => emitter.on('task:start', (e) => e.taskId === 'SLOW' && r()));
    const run = runLoop({ root: ws, project: 'p', emitter, syncIntervalMs: 50 });
    await started;
    await waitFor(() => statuses(file).SLOW === 'in_progress', 5000, 'in_progress written back');
    const edited = readJson(file);
    edited.features[1].description = 'edited by a person';
    edited.features[1].owner = 'bo';
    edited.features.push({ id: 'ADDED', agent_type: 'noop', note: 'added while running' });
    writeFileSync(file, JSON.stringify(edited, null, 4));
    const summary = await run;
    expect(summary.exitCode).toBe(0);
    const after = readJson(file);
    expect(after.features[1]).toEqual({ id: 'LATER', agent_type: 'noop', depends_on: ['SLOW'], owner: 'bo', description: 'edited by a person', status: 'complete' });
    expect(after.features[2]).toEqual({ id: 'ADDED', agent_type: 'noop', note: 'added while running', status: 'complete' });
    expect(readFileSync(file, 'utf8')).toContain('\n    "features"'); // the person's 4-space layout kept
  });

  it('runs a failed task again when a person sets it back to pending, and its skipped dependents too', async () => {
    const ws = makeWorkspace();
    const counter = path.join(ws, 'count');
    const file = writeQueue(ws, 'p', { features: [nodeTask('A', 'promise-on-third.mjs', { max_iterations: 2 }, [counter]), { id: 'B', agent_type: 'noop', depends_on: ['A'] }] });
    expect((await runLoop({ root: ws, project: 'p' })).exitCode).toBe(1);
    expect(statuses(file)).toEqual({ A: 'failed', B: 'skipped' });
    writeFileSync(file, readFileSync(file, 'utf8').replace('"status": "failed"', '"status": "pending"'));
    const second = await runLoop({ root: ws, project: 'p' });
    expect(second.exitCode).toBe(0);
    expect(statuses(file)).toEqual({ A: 'complete', B: 'complete' });
  });

  it('validates before touching .aibrain: bad input writes nothing', async () => {
    const ws = makeWorkspace();
    const text = '{"features": [{"id": "A", "depends_on": ["NOPE"]}]}';
    const file = writeQueue(ws, 'p', text);
    await expect(runLoop({ root: ws, project: 'p' })).rejects.toThrow(/unknown task id 'NOPE'/);
    expect(readFileSync(file, 'utf8')).toBe(text);
    expect(existsSync(path.join(ws, '.aibrain'))).toBe(false);
  });
});
