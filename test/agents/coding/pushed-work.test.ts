import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freshDatabase } from '../../helpers/postgres.js';
import { makeWorkspace, removeWorkspaces, runCli, writeQueue } from '../../helpers/workspace.js';
import { codingTask, codingWorkspace, git, type StatusTask } from './coding-workspace.js';
import { installFakeClis } from './fake-clis.js';

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

describe('coding work pushed to a remote (several machines)', { timeout: 300_000 }, () => {
  it("A's branch is pushed after its checkpoints; status says where; C on machine B starts from it", async () => {
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
});
