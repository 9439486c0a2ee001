import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freshDatabase } from '../../helpers/postgres.js';
import { makeWorkspace, removeWorkspaces, runCli, startCli, waitFor, writeQueue } from '../../helpers/workspace.js';
import { codingTask, codingWorkspace, git, type StatusTask } from './coding-workspace.js';
import { fakeCalls, installFakeClis } from './fake-clis.js';

// Issue 23, item 7: with git.push and a remote, a coding task's checkpoints go to a branch of its
// own on the remote; status says where; a dependent that runs on another machine (another clone,
// the same database) starts from its dependency's pushed work.
afterEach(removeWorkspaces);

const queue = {
  project: 'p',
  features: [
    codingTask('A', 'claude', 'promise-on-2', { max_iterations: 3, runs_on: ['a'] }),
    codingTask('C', 'claude', 'needs-A', { max_iterations: 1, depends_on: ['A'], runs_on: ['b'] }),
  ],
};

type WorkTask = StatusTask & { work: { remote: string; branch: string; commit: string } | null };
const statusOf = (ws: string, env: Record<string, string>): Map<string, WorkTask> =>
  new Map((JSON.parse(runCli(['status', '--project', 'p', '--json'], { cwd: ws, env }).stdout) as { tasks: WorkTask[] }).tasks.map((t) => [t.id, t]));

/** A remote, machine A (a repository pushing to it, with git.push in its project file) and machine B (a clone of it). */
function twoMachines(): { remote: string; a: string; b: string } {
  const remote = path.join(makeWorkspace(), 'remote.git');
  git(path.dirname(remote), 'init', '-q', '--bare', '-b', 'main', remote);
  const a = codingWorkspace();
  mkdirSync(path.join(a, 'governance', 'projects'), { recursive: true });
  writeFileSync(path.join(a, 'governance', 'projects', 'p.yaml'), 'version: 1\npath: .\ngit: { push: true, remote: origin }\nenvironments: {}\n');
  git(a, 'add', 'governance');
  git(a, 'commit', '-qm', 'project file');
  git(a, 'remote', 'add', 'origin', remote);
  git(a, 'push', '-q', 'origin', 'main');
  // Machine B: its own clone of the remote.
  const b = path.join(makeWorkspace(), 'b');
  git(path.dirname(b), 'clone', '-q', remote, b);
  git(b, 'config', 'user.name', 'Other Person');
  git(b, 'config', 'user.email', 'other@example.com');
  writeFileSync(path.join(b, '.git', 'info', 'exclude'), 'fake-bin/\nfake-state/\ntasks/\n');
  mkdirSync(path.join(b, 'tasks'));
  return { remote, a, b };
}

describe('coding work pushed to a remote (several machines)', { timeout: 300_000 }, () => {
  it("A's branch is pushed after its checkpoints; status says where; C on machine B starts from it", async () => {
    const { remote, a, b } = twoMachines();
    for (const ws of [a, b]) writeQueue(ws, 'p', queue);
    const env = { AUTONOMOUS_LOOP_DATABASE_URL: await freshDatabase() };
    const fakesA = installFakeClis(a);
    const fakesB = installFakeClis(b);

    const runA = runCli(['--project', 'p', '--labels', 'a'], { cwd: a, env: { ...env, ...fakesA.env('promise-on-2') } });
    expect(runA.code, runA.stdout + runA.stderr).toBe(3); // C waits for a runner labelled b
    const pushed0 = git(a, 'ls-remote', remote);
    expect(pushed0, runA.stdout + runA.stderr).toContain('refs/heads/loop/p/A');
    const pushed = git(a, 'ls-remote', remote, 'refs/heads/loop/p/A').split('\t')[0];
    expect(pushed).toMatch(/^[0-9a-f]{40}$/);
    expect(git(a, 'show', '--name-only', '--format=', pushed!)).toContain('work-A.txt');

    expect(statusOf(a, env).get('A')?.status).toBe('complete');
    // (B's own queue file still says pending for A: per-machine file status is issue 23 item 4.)
    const seenFromB = statusOf(b, env).get('A');
    expect(seenFromB?.work).toEqual({ remote: 'origin', branch: 'loop/p/A', commit: pushed });
    expect(runCli(['status', '--project', 'p'], { cwd: b, env }).stdout).toContain(`[work: loop/p/A on origin at ${pushed!.slice(0, 12)}]`);

    // B never had A's work in its clone: C passes only if its worktree starts from A's pushed branch.
    const runB = runCli(['--project', 'p', '--labels', 'b'], { cwd: b, env: { ...env, ...fakesB.env('needs-A') } });
    expect(runB.code, runB.stdout + runB.stderr).toBe(0);
    expect(statusOf(b, env).get('C')?.status).toBe('complete');
    const pushedC = git(b, 'ls-remote', remote, 'refs/heads/loop/p/C').split('\t')[0]!;
    expect(git(b, 'merge-base', '--is-ancestor', pushed!, pushedC)).toBe('');
  });

  it('a machine killed mid-task: the runner that takes the task over on another machine goes on from its pushed checkpoints', async () => {
    const { remote, a, b } = twoMachines();
    const tasks = { project: 'p', features: [codingTask('T', 'claude', 'carry-on', { max_iterations: 2, stuck_after: 'never' })] };
    for (const ws of [a, b]) writeQueue(ws, 'p', tasks);
    const env = { AUTONOMOUS_LOOP_DATABASE_URL: await freshDatabase() };
    const fakesA = installFakeClis(a);
    const fakesB = installFakeClis(b);
    // A: iteration 1 does the first half (checkpointed, pushed); iteration 2 hangs, and A is killed in it.
    const runA = startCli(['--project', 'p', '--lease', '2'], { cwd: a, env: { ...env, ...fakesA.env('carry-on'), FAKE_MACHINE: 'A', FAKE_HANG_ON_PROGRESS: '1' } });
    try {
      await waitFor(() => fakeCalls(fakesA.state).length >= 2, 120_000, "A's second iteration");
      const pushed = git(a, 'ls-remote', remote, 'refs/heads/loop/p/T').split('\t')[0];
      expect(pushed, runA.output()).toMatch(/^[0-9a-f]{40}$/);
      expect(git(a, 'show', `${pushed}:progress-T.txt`)).toBe('first half, call 1 on A');
      const runB = startCli(['--project', 'p', '--lease', '2'], { cwd: b, env: { ...env, ...fakesB.env('carry-on'), FAKE_MACHINE: 'B' } });
      await waitFor(() => runB.output().includes('1 task(s)'), 60_000, 'runner B to start');
      runA.kill('SIGKILL');
      await runA.exited;
      // B never had T's first half in its clone: T is complete only if B's worktree started from T's pushed branch
      // (a fresh start would do the first half again, and its 2 iterations would end without the promise).
      expect(await runB.exited, runB.output()).toBe(0);
      expect(runB.output()).toMatch(/T: resumed here; runner run-\S+ stopped renewing its lease/);
      const calls = fakeCalls(fakesB.state);
      expect(calls).toHaveLength(1);
      expect(statusOf(b, env).get('T')?.status).toBe('complete');
      const pushedAfter = git(b, 'ls-remote', remote, 'refs/heads/loop/p/T').split('\t')[0]!;
      expect(git(b, 'merge-base', '--is-ancestor', pushed!, pushedAfter)).toBe('');
      expect(readFileSync(path.join(b, 'progress-T.txt'), 'utf8')).toBe('first half, call 1 on A\n');
    } finally {
      runA.kill('SIGKILL');
    }
  });
});
