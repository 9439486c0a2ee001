import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { removeWorkspaces, runCli, writeQueue } from '../../helpers/workspace.js';
import { codingTask, codingWorkspace, git, type StatusTask } from './coding-workspace.js';
import { installFakeClis } from './fake-clis.js';

// Issue 26: each coding task works in its own worktree on its own branch; its branch is merged
// into the base branch when it completes, when git can do so without touching a person's
// uncommitted changes; dependents start from the merged result; the person's work tree is never
// committed to or reset.
afterEach(removeWorkspaces);

const statusOf = (ws: string): Map<string, StatusTask> =>
  new Map((JSON.parse(runCli(['status', '--project', 'p', '--json'], { cwd: ws }).stdout) as { tasks: StatusTask[] }).tasks.map((t) => [t.id, t]));

/** Files each of the loop's checkpoint commits touched, by task. */
function checkpointFiles(ws: string): Map<string, Set<string>> {
  const byTask = new Map<string, Set<string>>();
  const raw = git(ws, 'log', '--all', '--no-merges', '--format=%x1e%s', '--name-only');
  for (const entry of raw.split('\x1e').filter(Boolean)) {
    const [subject = '', ...files] = entry.trim().split('\n').filter(Boolean);
    const m = /^autonomous-loop: (\w+) iteration /.exec(subject);
    if (!m?.[1]) continue;
    const set = byTask.get(m[1]) ?? new Set<string>();
    for (const f of files) set.add(f);
    byTask.set(m[1], set);
  }
  return byTask;
}

/** A script a stand-in agent runs in the person's own work tree mid-run: what a person does meanwhile. */
function personScript(ws: string, body: string): string {
  const file = path.join(ws, 'fake-state', 'person.cjs');
  writeFileSync(file, `const { execFileSync } = require('node:child_process');\nconst fs = require('node:fs');\nconst git = (...a) => execFileSync('git', a, { stdio: 'ignore' });\n${body}\n`);
  return file;
}

describe('isolated work', { timeout: 240_000 }, () => {
  it('four tasks at --concurrency 2: own worktrees and branches, only own changes in each checkpoint, merged, a person’s edit and commit survive, dependents see the merged work', () => {
    const ws = codingWorkspace();
    const fakes = installFakeClis(ws);
    // While A works, a person commits a file of their own and edits README.md without committing.
    const script = personScript(ws, "fs.writeFileSync('person.txt', 'mine\\n'); git('add', 'person.txt'); git('commit', '-qm', 'a person’s own commit'); fs.writeFileSync('README.md', '# app\\nan uncommitted edit\\n');");
    writeQueue(ws, 'p', {
      project: 'p',
      features: [
        codingTask('A', 'claude', 'promise-on-2', { max_iterations: 3 }),
        codingTask('B', 'claude', 'promise-on-2', { max_iterations: 3 }),
        codingTask('C', 'claude', 'needs-A', { max_iterations: 1, depends_on: ['A'] }),
        codingTask('D', 'claude', 'promise-on-2', { max_iterations: 3 }),
      ],
    });
    const head = git(ws, 'rev-parse', 'HEAD');
    const run = runCli(['--project', 'p', '--concurrency', '2'], { cwd: ws, env: { ...fakes.env('promise-on-2'), FAKE_PERSON_SCRIPT: script, FAKE_PERSON_DIR: ws, FAKE_PERSON_TASK: 'A' } });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    for (const t of statusOf(ws).values()) expect(t.status, `${t.id}: ${t.reason ?? ''}`).toBe('complete');
    // Each task's checkpoints hold its own work only: never another task's file, nor a person's.
    const files = checkpointFiles(ws);
    expect([...files.keys()].sort()).toEqual(['A', 'B', 'C', 'D']);
    for (const [task, touched] of files) expect([...touched], task).toEqual([`work-${task}.txt`]);
    // Each on its own branch.
    for (const task of ['A', 'B', 'C', 'D']) expect(git(ws, 'log', '--format=%s', '-1', `loop/p/${task}`)).toMatch(new RegExp(`^autonomous-loop: ${task} iteration`));
    // Merged into main, the person's commit among the history, their uncommitted edit untouched.
    expect(git(ws, 'symbolic-ref', '--short', 'HEAD')).toBe('main');
    for (const task of ['A', 'B', 'C', 'D']) expect(readFileSync(path.join(ws, `work-${task}.txt`), 'utf8')).toMatch(/^call \d\n$/);
    expect(git(ws, 'log', '--format=%s', 'main')).toContain('a person’s own commit');
    expect(git(ws, 'merge-base', '--is-ancestor', head, 'main')).toBe('');
    expect(readFileSync(path.join(ws, 'README.md'), 'utf8')).toBe('# app\nan uncommitted edit\n');
    expect(git(ws, 'status', '--porcelain', 'README.md')).toBe('M README.md');
    // The person's branch never got a checkpoint commit of its own making outside a merge: every
    // checkpoint reached main through a merge or a fast-forward of the task's branch.
    expect(existsSync(path.join(ws, '.aibrain', 'worktrees', 'p', 'A'))).toBe(false);
  });

  it('a conflict with a person’s commit waits, naming the file; status says so; the dependent waits; the next run merges once it is resolved', () => {
    const ws = codingWorkspace();
    const fakes = installFakeClis(ws);
    // While A works, a person commits their own work-A.txt: A's branch cannot merge cleanly.
    const script = personScript(ws, "fs.writeFileSync('work-A.txt', 'the person’s version\\n'); git('add', 'work-A.txt'); git('commit', '-qm', 'a person’s work-A');");
    writeQueue(ws, 'p', { project: 'p', features: [codingTask('A', 'claude', 'promise-on-2', { max_iterations: 3 }), codingTask('C', 'claude', 'needs-A', { max_iterations: 1, depends_on: ['A'] })] });
    const run = runCli(['--project', 'p'], { cwd: ws, env: { ...fakes.env('promise-on-2'), FAKE_PERSON_SCRIPT: script, FAKE_PERSON_DIR: ws, FAKE_PERSON_TASK: 'A' } });
    expect(run.stdout + run.stderr).toMatch(/A: merge waits: conflict in work-A\.txt/);
    const waiting = statusOf(ws);
    expect(waiting.get('A')?.reason).toMatch(/^merge waits: conflict in work-A\.txt between loop\/p\/A and main/);
    expect(waiting.get('C')).toMatchObject({ status: 'pending', iterations: 0 });
    // Nothing of the task's reached the person's tree, which is clean and at their commit.
    expect(readFileSync(path.join(ws, 'work-A.txt'), 'utf8')).toBe('the person’s version\n');
    expect(git(ws, 'status', '--porcelain', '--untracked-files=no')).toBe('');
    expect(git(ws, 'log', '--format=%s', '-1')).toBe('a person’s work-A');

    // The person resolves it by merging the task's branch themselves, taking its version.
    git(ws, 'merge', '-q', '-X', 'theirs', '--no-edit', 'loop/p/A');
    const again = runCli(['--project', 'p'], { cwd: ws, env: fakes.env('promise-on-2') });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    const done = statusOf(ws);
    expect(done.get('A')).toMatchObject({ status: 'complete', reason: null });
    expect(done.get('C')).toMatchObject({ status: 'complete', iterations: 1 });
    expect(existsSync(path.join(ws, 'work-C.txt'))).toBe(true);
  });

  it('a person’s uncommitted edit to a file the merge would change: it waits, their edit untouched; once they drop it, the next run merges', () => {
    const ws = codingWorkspace();
    const fakes = installFakeClis(ws);
    writeFileSync(path.join(ws, 'work-A.txt'), 'committed\n');
    git(ws, 'add', 'work-A.txt');
    git(ws, 'commit', '-qm', 'work-A as it was');
    const script = personScript(ws, "fs.writeFileSync('work-A.txt', 'not committed\\n');");
    writeQueue(ws, 'p', { project: 'p', features: [codingTask('A', 'claude', 'promise-on-2', { max_iterations: 3 })] });
    runCli(['--project', 'p'], { cwd: ws, env: { ...fakes.env('promise-on-2'), FAKE_PERSON_SCRIPT: script, FAKE_PERSON_DIR: ws, FAKE_PERSON_TASK: 'A' } });
    expect(statusOf(ws).get('A')?.reason).toBe('merge waits: your uncommitted changes to work-A.txt would be overwritten by loop/p/A: commit or stash them, then run again');
    expect(readFileSync(path.join(ws, 'work-A.txt'), 'utf8')).toBe('not committed\n');
    git(ws, 'checkout', '--', 'work-A.txt'); // the person drops their edit
    const again = runCli(['--project', 'p'], { cwd: ws, env: fakes.env('promise-on-2') });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(statusOf(ws).get('A')).toMatchObject({ status: 'complete', reason: null });
    expect(readFileSync(path.join(ws, 'work-A.txt'), 'utf8')).toBe('call 2\n');
  });
});
