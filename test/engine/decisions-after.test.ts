import { hostname } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { killPtys, startCliInPty } from '../helpers/pty.js';
import { withStateDb } from '../helpers/state-db.js';
import { makeWorkspace, nodeTask, readJson, removeWorkspaces, runCli, startCli, waitFor, writeQueue } from '../helpers/workspace.js';

// Issue 19, items 7 and 8 of what was seen: a later approval supersedes a rejection in every
// state; a closed terminal at a prompt leaves the task for a person; revert after a dead loop.

afterEach(() => {
  killPtys();
  removeWorkspaces();
});

const statuses = (file: string): (string | undefined)[] => readJson(file).features.map((t: { status?: string }) => t.status);

describe('a later approve supersedes a rejection', () => {
  it('rejected while a --wait run waits: a later approve is recorded and the next run runs it', async () => {
    const ws = makeWorkspace();
    const file = writeQueue(ws, 'p', { features: [{ id: 'GATED', agent_type: 'noop', requires_approval: true }, { id: 'AFTER', agent_type: 'noop', depends_on: ['GATED'] }] });
    const run = startCli(['--project', 'p', '--wait'], { cwd: ws });
    await waitFor(() => run.output().includes('waiting for a decision'), 30_000, 'the run to wait');
    expect(runCli(['reject', 'GATED', '--by', 'bob', '--comment', 'not today'], { cwd: ws }).code).toBe(0);
    expect(await run.exited).toBe(1);
    const approve = runCli(['approve', 'GATED', '--by', 'ana'], { cwd: ws });
    expect(approve.code).toBe(0);
    expect(approve.stdout).toContain('the earlier rejection no longer holds');
    expect(runCli(['--project', 'p'], { cwd: ws }).code).toBe(0);
    expect(statuses(file)).toEqual(['complete', 'complete']);
  }, 90_000);
});

describe('a closed terminal at a prompt', () => {
  it('SIGHUP at the (R)evert / (O)verride / (A)bort prompt: the task is left for a person, never failed (max_iterations 1)', async () => {
    const ws = makeWorkspace();
    const file = writeQueue(ws, 'p', { features: [nodeTask('MIGRATE', 'blocked.mjs', { max_iterations: 1 })] });
    const pty = startCliInPty(['--project', 'p', '--by', 'ed'], { cwd: ws });
    await pty.expect('(R)evert / (O)verride / (A)bort');
    pty.kill(); // the terminal goes away: the loop gets SIGHUP
    await waitFor(() => statuses(file)[0] === 'pending', 30_000, 'the loop to stop and save');
    const again = runCli(['--project', 'p'], { cwd: ws });
    // asked again (nobody at a terminal: stopped blocked, waiting for override), never failed
    expect(statuses(file)).toEqual(['blocked']);
    expect(again.stdout + again.stderr).not.toContain('failed');
  }, 90_000);

  it('revert works after the loop that held the project died', () => {
    const ws = makeWorkspace();
    writeQueue(ws, 'p', { features: [{ id: 'T', agent_type: 'noop' }] });
    expect(runCli(['--project', 'p'], { cwd: ws }).code).toBe(0);
    withStateDb(ws, (db) => db.prepare('INSERT INTO locks (project, pid, host, since, run_id) VALUES (?, ?, ?, ?, ?)').run('p', 2 ** 22 + 7, hostname(), new Date().toISOString(), 'run-dead'));
    const r = runCli(['revert', 'T', '--project', 'p', '--iteration', '1', '--by', 'ana'], { cwd: ws });
    expect(r.stderr).not.toContain('is being run');
    expect(r.stderr).toContain('no checkpoint after iteration 1');
  });
});
