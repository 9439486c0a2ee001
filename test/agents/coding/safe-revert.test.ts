import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killPtys, startCliInPty } from '../../helpers/pty.js';
import { onPostgres } from '../../helpers/test-store.js';
import { readJson, removeWorkspaces, runCli, writeQueue } from '../../helpers/workspace.js';
import { codingTask, codingWorkspace, git } from './coding-workspace.js';
import { installFakeClis } from './fake-clis.js';

// Issue 26: a revert touches only the task's own commits and files; never the queue file,
// .aibrain/, another task's work or a person's commit.
afterEach(() => {
  killPtys();
  removeWorkspaces();
});

describe('(R)evert at the prompt', { timeout: 180_000 }, () => {
  it('in a repository whose queue file is committed: the task is blocked, the queue statuses intact, exit 1', async () => {
    const ws = codingWorkspace();
    writeFileSync(path.join(ws, 'mine.txt'), 'a person’s file\n');
    // Slow enough for the engine to write `in_progress` into the (committed) queue file first.
    const slowBlock = "setTimeout(() => { require('fs').writeFileSync('created-by-task.txt', 'x'); console.log('<verdict>BLOCKED: DROP TABLE users</verdict>'); }, 1500)";
    const file = writeQueue(ws, 'p', { project: 'p', features: [{ id: 'MIGRATE', description: 'x', agent_type: 'command', command: [process.execPath, '-e', slowBlock] }, { id: 'AFTER', agent_type: 'noop', depends_on: ['MIGRATE'] }] });
    git(ws, 'add', 'mine.txt', 'tasks');
    git(ws, 'commit', '-qm', 'the queue, committed');
    writeFileSync(path.join(ws, 'mine.txt'), 'a person’s uncommitted edit\n');
    const pty = startCliInPty(['--project', 'p', '--by', 'cy'], { cwd: ws });
    await pty.expect('(R)evert / (O)verride / (A)bort');
    pty.send('r\r');
    expect(await pty.exited).toBe(1);
    expect(readJson(file).features.map((t: { status: string }) => t.status)).toEqual(['blocked', 'skipped']);
    expect(existsSync(path.join(ws, 'created-by-task.txt'))).toBe(false);
    expect(readFileSync(path.join(ws, 'mine.txt'), 'utf8')).toBe('a person’s uncommitted edit\n');
    // The loop's own files are not the task's to undo: its logs, and its store (state.db; a database under TEST_STORE=postgres).
    expect(existsSync(path.join(ws, '.aibrain', 'logs'))).toBe(true);
    if (!onPostgres()) expect(existsSync(path.join(ws, '.aibrain', 'state.db'))).toBe(true);
    const again = runCli(['status', '--project', 'p', '--json'], { cwd: ws });
    expect((JSON.parse(again.stdout) as { tasks: { id: string; status: string; reason: string }[] }).tasks[0]).toMatchObject({ status: 'blocked' });
  });
});

describe('(R)evert at the prompt for a coding task in its own worktree', { timeout: 180_000 }, () => {
  it('undoes the task in its worktree only: the person’s tree and files untouched, the task blocked', async () => {
    const ws = codingWorkspace();
    const fakes = installFakeClis(ws);
    writeFileSync(path.join(ws, 'README.md'), '# app\nmine, not committed\n');
    const file = writeQueue(ws, 'p', { project: 'p', features: [codingTask('BL', 'claude', 'blocked', { max_iterations: 2, checkpoint: 'never' })] });
    const head = git(ws, 'rev-parse', 'HEAD');
    const pty = startCliInPty(['--project', 'p', '--by', 'cy'], { cwd: ws, env: fakes.env('blocked') });
    await pty.expect('(R)evert / (O)verride / (A)bort');
    const wt = path.join(ws, '.aibrain', 'worktrees', 'p', 'BL');
    expect(existsSync(path.join(wt, 'work-BL.txt'))).toBe(true);
    pty.send('r\r');
    expect(await pty.exited).toBe(1);
    expect(readJson(file).features[0].status).toBe('blocked');
    expect(existsSync(path.join(wt, 'work-BL.txt'))).toBe(false);
    expect(existsSync(path.join(ws, 'work-BL.txt'))).toBe(false);
    expect(readFileSync(path.join(ws, 'README.md'), 'utf8')).toBe('# app\nmine, not committed\n');
    expect(git(ws, 'rev-parse', 'HEAD')).toBe(head);
  });
});

describe('revert --iteration N', { timeout: 180_000 }, () => {
  it("says what it drops and asks; on a task's own branch (not merged) it moves only that branch", () => {
    const ws = codingWorkspace();
    const fakes = installFakeClis(ws);
    writeQueue(ws, 'p', { project: 'p', features: [codingTask('A', 'claude', 'progress-files', { max_iterations: 3, stuck_after: 'never' })] });
    const run = runCli(['--project', 'p'], { cwd: ws, env: fakes.env('progress-files') });
    expect(run.code, run.stdout + run.stderr).toBe(1);
    const history = JSON.parse(runCli(['history', '--iterations', '--project', 'p', '--task', 'A', '--json'], { cwd: ws }).stdout) as { iterations: { n: number; checkpoint: string }[] };
    const first = history.iterations[0]?.checkpoint ?? '';
    const personHead = git(ws, 'rev-parse', 'HEAD');
    // The failed task's work is on its branch only: the person's tree never got it.
    expect(existsSync(path.join(ws, 'module-1.mjs'))).toBe(false);
    expect(git(ws, 'show', '--format=', '--name-only', 'loop/p/A')).toBe('module-3.mjs\nwork-A.txt');

    // No --yes and nobody at a terminal: it says what it would drop, and drops nothing.
    const asked = runCli(['revert', 'A', '--project', 'p', '--iteration', '1', '--by', 'dana'], { cwd: ws });
    expect(asked.code).toBe(2);
    expect(asked.stdout + asked.stderr).toMatch(/would drop 2 checkpoint commit\(s\) of A/);
    expect(asked.stdout + asked.stderr).toContain('module-3.mjs');
    expect(asked.stderr).toContain('--yes');

    const ok = runCli(['revert', 'A', '--project', 'p', '--iteration', '1', '--by', 'dana', '--yes'], { cwd: ws });
    expect(ok.code, ok.stderr).toBe(0);
    expect(git(ws, 'rev-parse', 'loop/p/A')).toBe(first);
    expect(git(ws, 'rev-parse', 'HEAD')).toBe(personHead);
    const wt = path.join(ws, '.aibrain', 'worktrees', 'p', 'A');
    expect(existsSync(path.join(wt, 'module-1.mjs'))).toBe(true);
    expect(existsSync(path.join(wt, 'module-2.mjs'))).toBe(false);
    expect(readJson(path.join(ws, 'tasks', 'work_queue_p.json')).features[0].status).toBe('failed');
  });

  it("a merged task with a person's commit after it: only the task's own commits are undone (git revert), the person's stays", () => {
    const ws = codingWorkspace();
    const fakes = installFakeClis(ws);
    writeQueue(ws, 'p', { project: 'p', features: [codingTask('B', 'claude', 'promise-on-2', { max_iterations: 3 })] });
    const run = runCli(['--project', 'p'], { cwd: ws, env: fakes.env('promise-on-2') });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(readFileSync(path.join(ws, 'work-B.txt'), 'utf8')).toBe('call 2\n');
    // A person's commit after the task's merged checkpoints, and an uncommitted edit of theirs.
    writeFileSync(path.join(ws, 'person.txt'), 'my work\n');
    git(ws, 'add', 'person.txt');
    git(ws, 'commit', '-qm', 'my own commit');
    writeFileSync(path.join(ws, 'README.md'), '# app\nmine, not committed\n');

    const asked = runCli(['revert', 'B', '--project', 'p', '--iteration', '1', '--by', 'dana'], { cwd: ws });
    expect(asked.code).toBe(2);
    expect(asked.stdout).toMatch(/would undo 1 checkpoint commit\(s\) of B with git revert/);
    expect(asked.stdout).toMatch(/kept: [0-9a-f]{12} my own commit/);

    const ok = runCli(['revert', 'B', '--project', 'p', '--iteration', '1', '--by', 'dana', '--yes'], { cwd: ws });
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(readFileSync(path.join(ws, 'work-B.txt'), 'utf8')).toBe('call 1\n');
    expect(readFileSync(path.join(ws, 'person.txt'), 'utf8')).toBe('my work\n');
    expect(readFileSync(path.join(ws, 'README.md'), 'utf8')).toBe('# app\nmine, not committed\n');
    const log = git(ws, 'log', '--format=%s', '-3').split('\n');
    expect(log[0]).toMatch(/^Revert "autonomous-loop: B iteration 2\/3/);
    expect(log[1]).toBe('my own commit');
  });
});
