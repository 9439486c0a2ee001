import { readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/state/open-store.js';
import { withStateDb } from '../helpers/state-db.js';
import { makeWorkspace, nodeTask, readJson, removeWorkspaces, runCli, startCli, waitFor, writeQueue } from '../helpers/workspace.js';
import { itSqliteOnly, onPostgres } from '../helpers/test-store.js';
import { isProcessAlive } from '../../src/state/is-process-alive.js';

afterEach(removeWorkspaces);

const lines = (file: string): string[] => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : []);

describe('the CLI run', () => {
  it('resumes after kill -9 without repeating what completed', async () => {
    const ws = makeWorkspace();
    const log = path.join(ws, 'log');
    const file = writeQueue(ws, 'p', {
      project: 'p',
      features: [nodeTask('A', 'slow-steps.mjs', {}, [log, '10']), nodeTask('B', 'slow-steps.mjs', { depends_on: ['A'] }, [log, '4000']), nodeTask('C', 'slow-steps.mjs', { depends_on: ['B'] }, [log, '10'])],
    });
    const first = startCli(['--project', 'p'], { cwd: ws });
    await waitFor(() => lines(log).includes('start B 1'), 20_000, 'B to start');
    first.kill('SIGKILL');
    await first.exited;
    // Whatever the moment, the files parse and agree with the store.
    expect(readJson(file).features).toHaveLength(3);
    const resumed = runCli(['--project', 'p'], { cwd: ws });
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain('resuming');
    const runs = lines(log);
    expect(runs.filter((l) => l === 'start A 1')).toHaveLength(1); // A completed: never again
    expect(runs.filter((l) => l === 'end B 1')).toHaveLength(1); // B cut off, then run once to its end
    expect(runs.filter((l) => l === 'start B 1')).toHaveLength(2); // the cut-off iteration runs again under its number
    expect(runs.filter((l) => l.startsWith('start C'))).toHaveLength(1);
    expect(readJson(file).features.map((t: { status: string }) => t.status)).toEqual(['complete', 'complete', 'complete']);
    const store = await openStore(path.join(ws, '.aibrain', 'state.db'));
    try {
      const b = await store.iterations('p', 'B');
      expect(b.map((i) => i.state)).toEqual(['interrupted', 'done']);
    } finally {
      await store.close();
    }
  });

  itSqliteOnly('with PostgreSQL several runners share a project by design')('lets one loop run a project at a time and names the holder', async () => {
    const ws = makeWorkspace();
    const started = path.join(ws, 'started');
    const release = path.join(ws, 'release');
    writeQueue(ws, 'p', { features: [nodeTask('A', 'wait-for-file.mjs', {}, [started, release])] });
    writeQueue(ws, 'q', { features: [{ id: 'Q', agent_type: 'noop' }] });
    const first = startCli(['--project', 'p'], { cwd: ws });
    await waitFor(() => existsSync(started), 20_000, 'A to start');
    const second = runCli(['--project', 'p'], { cwd: ws });
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(new RegExp(`being run by another loop \\(pid ${first.pid} on .+, since \\d{4}-`));
    const other = runCli(['--project', 'q'], { cwd: ws }); // another project runs side by side
    expect(other.code, other.stderr).toBe(0);
    writeFileSync(release, '');
    expect(await first.exited).toBe(0);
  });

  itSqliteOnly('with PostgreSQL several runners share a project by design')('of two loops started at the same moment, exactly one runs', async () => {
    const ws = makeWorkspace();
    const started = path.join(ws, 'started');
    const release = path.join(ws, 'release');
    writeQueue(ws, 'p', { features: [nodeTask('A', 'wait-for-file.mjs', {}, [started, release])] });
    const a = startCli(['--project', 'p'], { cwd: ws });
    const b = startCli(['--project', 'p'], { cwd: ws });
    const loser = await Promise.race([a.exited.then((code) => ({ code, who: a, other: b })), b.exited.then((code) => ({ code, who: b, other: a }))]);
    expect(loser.code).toBe(2);
    expect(loser.who.output()).toContain(`being run by another loop (pid ${loser.other.pid}`);
    await waitFor(() => existsSync(started), 20_000, 'the winner to start A');
    writeFileSync(release, '');
    expect(await loser.other.exited).toBe(0);
  });

  itSqliteOnly('the project lock belongs to SQLite; PostgreSQL runners hold leases')('takes over the lock of a loop that died', async () => {
    const ws = makeWorkspace();
    writeQueue(ws, 'p', { features: [{ id: 'A', agent_type: 'noop' }] });
    const gone = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    const deadPid = Number(gone.stdout.trim());
    const store = await openStore(path.join(ws, '.aibrain', 'state.db'));
    await store.acquireLock('p', 'run-dead', () => false);
    await store.close();
    withStateDb(ws, (db) => db.prepare('UPDATE locks SET pid = ? WHERE project = ?').run(deadPid, 'p'));
    const r = runCli(['--project', 'p'], { cwd: ws });
    expect(r.code, r.stderr).toBe(0);
    const logText = readFileSync(path.join(ws, '.aibrain', 'logs', 'p.jsonl'), 'utf8');
    expect(logText).toContain('took over the lock');
  });

  it('exits 2 with one clear message and writes nothing on bad input', () => {
    const ws = makeWorkspace();
    const bad = '{\n  "features": [\n    {"id": "A", "depends_on": ["B"]},\n    {"id": "B", "depends_on": ["A"]}\n  ]\n}\n';
    const file = writeQueue(ws, 'p', bad);
    for (const args of [['--project', 'p'], ['validate', '--project', 'p'], ['plan', '--project', 'p']]) {
      const r = runCli(args, { cwd: ws });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^autonomous-loop: tasks\/work_queue_p\.json: a problem: features: dependency cycle (A -> B -> A|B -> A -> B)\n(see '[^']+'\n)?$/);
      expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
    }
    expect(readFileSync(file, 'utf8')).toBe(bad);
    expect(existsSync(path.join(ws, '.aibrain'))).toBe(false);
    const missing = runCli(['--project', 'nope'], { cwd: ws });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('tasks/work_queue_nope.json: no such queue file');
    const badName = runCli(['--project', '../etc'], { cwd: ws });
    expect(badName.code).toBe(2);
  });

  it('shows plan, status and validate, as text and JSON', () => {
    const ws = makeWorkspace();
    writeQueue(ws, 'p', { project: 'p', features: [{ id: 'B', agent_type: 'noop', depends_on: ['A'] }, { id: 'A', agent_type: 'noop' }, nodeTask('F', 'fail.mjs', { max_iterations: 1 })] });
    const plan = runCli(['plan', '--project', 'p', '--json'], { cwd: ws });
    expect(JSON.parse(plan.stdout).waves).toEqual([
      { wave: 1, tasks: ['A', 'F'] },
      { wave: 2, tasks: ['B'] },
    ]);
    expect(runCli(['validate', '--project', 'p'], { cwd: ws }).stdout).toContain('valid: 3 task(s) in 2 wave(s)');
    const run = runCli(['--project', 'p'], { cwd: ws });
    expect(run.code).toBe(1);
    const status = JSON.parse(runCli(['status', '--project', 'p', '--json'], { cwd: ws }).stdout);
    expect(status.project).toBe('p');
    expect(status.tasks.map((t: { id: string; status: string; iterations: number }) => [t.id, t.status, t.iterations])).toEqual([
      ['B', 'complete', 1],
      ['A', 'complete', 1],
      ['F', 'failed', 1],
    ]);
    expect(status.tasks[2].last_error).toMatch(/exited with code 3/);
    expect(runCli(['status', '--project', 'p'], { cwd: ws }).stdout).toMatch(/F\s+failed/);
  });

  it('stops on Ctrl-C with exit 130, leaves no child behind, and resumes', async () => {
    const ws = makeWorkspace();
    const pids = path.join(ws, 'pids');
    writeFileSync(path.join(ws, 'flag'), '');
    writeQueue(ws, 'p', { features: [nodeTask('H', 'hang.mjs', { max_iterations: 1 }, [pids])] });
    const run = startCli(['--project', 'p'], { cwd: ws });
    await waitFor(() => existsSync(pids), 20_000, 'the agent to start');
    run.kill('SIGINT');
    expect(await run.exited).toBe(130);
    const [parent, child] = readFileSync(pids, 'utf8').split(' ').map(Number);
    await waitFor(() => !isProcessAlive(parent!) && !isProcessAlive(child!), 5_000, 'children to be stopped');
    const status = JSON.parse(runCli(['status', '--project', 'p', '--json'], { cwd: ws }).stdout);
    // Nothing runs it any more: it waits for the next run, which resumes it (never left in_progress).
    expect([status.tasks[0].status, status.tasks[0].reason]).toEqual(['pending', 'interrupted at iteration 1: the next run resumes it']);
    if (!onPostgres()) expect(readdirSync(path.join(ws, '.aibrain'))).toContain('state.db');
  });
});
