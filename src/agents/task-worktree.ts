import { existsSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCommand } from './run-command.js';

// Isolated work (issue 26): a coding task works in a git worktree of its own,
// `.aibrain/worktrees/<project>/<task>`, on the branch `loop/<project>/<task id, escaped>`, made
// from the base branch (the one the person's work tree had checked out when the task started).
// When the task completes its branch is merged into the base branch, only when git can do so
// without touching the person's uncommitted changes; else the merge waits, saying why.

/** Where a task works, kept (journaled) with its first iteration. */
export interface TaskWorktree {
  /** The worktree's top folder. */
  top: string;
  /** The folder the agent runs in: the worktree's counterpart of the workspace root. */
  dir: string;
  branch: string;
  /** The branch the task started from and is merged into. */
  base: string;
  /** The person's repository top (their work tree). */
  repo: string;
}

export type MergeOutcome = { merged: true; how: 'fast-forward' | 'merge commit' | 'already merged'; commit: string } | { merged: false; waits: string };

/** A task id or project as one git ref component: characters git refuses become `-`. */
export function refComponent(name: string): string {
  const cleaned = name
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .replace(/\.{2,}/g, '-')
    .replace(/^[.-]+/, '')
    .replace(/\.lock$/i, '-lock')
    .replace(/\.$/, '-');
  return cleaned || 'task';
}

export const loopBranch = (project: string, taskId: string): string => `loop/${refComponent(project)}/${refComponent(taskId)}`;

/**
 * The task's worktree, made (or found again, on a resumed run) in the repository holding `root`.
 * Null with why when the task cannot be isolated: not a git work tree, no commit yet, or a
 * detached HEAD with no base branch named.
 */
export async function openTaskWorktree(root: string, aibrainDir: string, project: string, taskId: string, knownBase?: string, startTips: () => Promise<readonly string[]> = async () => []): Promise<TaskWorktree | { none: string }> {
  const top = await git(root, ['rev-parse', '--show-toplevel']).catch(() => null);
  if (top === null) return { none: 'not a git work tree' };
  const head = await git(top, ['rev-parse', '--verify', '-q', 'HEAD']).catch(() => null);
  if (!head) return { none: 'the repository has no commit yet' };
  const base = knownBase ?? (await git(top, ['symbolic-ref', '--short', '-q', 'HEAD']).catch(() => null));
  if (!base) return { none: 'HEAD is detached: no base branch to merge into' };
  const branch = loopBranch(project, taskId);
  const holder = path.join(aibrainDir, 'worktrees');
  const wtTop = path.join(holder, refComponent(project), refComponent(taskId));
  mkdirSync(path.dirname(wtTop), { recursive: true });
  // Never part of the person's repository.
  if (!existsSync(path.join(holder, '.gitignore'))) writeFileSync(path.join(holder, '.gitignore'), '# worktrees of autonomous-loop tasks: never committed\n*\n');
  const rel = path.relative(realpathSync(top), realpathSync(root));
  const found = existsSync(wtTop) ? await git(wtTop, ['rev-parse', '--show-toplevel']).catch(() => null) : null;
  if (found === null || realpathSync(found) !== realpathSync(wtTop)) {
    await git(top, ['worktree', 'prune']);
    const exists = await git(top, ['rev-parse', '--verify', '-q', `refs/heads/${branch}`]).catch(() => null);
    if (exists) {
      // A branch already merged (the task ran before and a person set it back) starts again from the base.
      const merged = await isAncestor(top, exists, `refs/heads/${base}`);
      if (merged) await git(top, ['branch', '-f', branch, base]);
      await git(top, ['worktree', 'add', '-q', wtTop, branch]);
    } else {
      // Made on this machine for the first time: the task's own work and its dependencies' pushed
      // from other machines are part of where it starts (asked only now: it may reach the remote).
      await git(top, ['worktree', 'add', '-q', '-b', branch, wtTop, await startPoint(top, base, await startTips())]);
    }
  }
  return { top: wtTop, dir: path.join(wtTop, rel), branch, base, repo: top };
}

/**
 * The base branch with the given commits in it: the base itself when they are in it already, the
 * furthest of them when it holds the rest, else a merge commit made without a work tree. A
 * conflict throws, naming the files.
 */
async function startPoint(top: string, base: string, tips: readonly string[]): Promise<string> {
  let start = await git(top, ['rev-parse', '--verify', `refs/heads/${base}`]);
  for (const tip of tips) {
    if (await isAncestor(top, tip, start)) continue;
    if (await isAncestor(top, start, tip)) {
      start = tip;
      continue;
    }
    const tree = await runGit(top, ['merge-tree', '--write-tree', '--name-only', '--no-messages', start, tip]);
    const [treeId = '', ...conflicted] = tree.stdout.split('\n').filter(Boolean);
    if (tree.exitCode === 1) throw new Error(`its dependencies' pushed work conflicts with ${base} in ${list(conflicted)}`);
    if (!tree.ok) throw new Error(`git merge-tree: ${tree.stderr.trim() || tree.output.trim()}`);
    start = await git(top, ['commit-tree', treeId, '-p', start, '-p', tip, '-m', `autonomous-loop: start from ${base} and dependencies' pushed work`], await identity(top));
  }
  return start;
}

/** The task's worktree as it would be named, without making it (a merge that waited, tried again). */
export async function describeTaskWorktree(root: string, aibrainDir: string, project: string, taskId: string, base: string): Promise<TaskWorktree> {
  const top = await git(root, ['rev-parse', '--show-toplevel']);
  const wtTop = path.join(aibrainDir, 'worktrees', refComponent(project), refComponent(taskId));
  return { top: wtTop, dir: path.join(wtTop, path.relative(realpathSync(top), realpathSync(root))), branch: loopBranch(project, taskId), base, repo: top };
}

/**
 * Merges the task's branch into its base branch: a fast-forward, else a merge commit made without
 * a work tree (`git merge-tree`); the base branch moves only by a fast-forward of the person's
 * work tree (`git merge --ff-only`, which refuses rather than touch their uncommitted changes) or,
 * when another branch is checked out there, of the ref alone. A conflict waits, naming the files.
 */
export async function mergeTaskBranch(wt: TaskWorktree): Promise<MergeOutcome> {
  const top = wt.repo;
  const baseRef = `refs/heads/${wt.base}`;
  const baseTip = await git(top, ['rev-parse', '--verify', '-q', baseRef]).catch(() => null);
  if (!baseTip) return { merged: false, waits: `the base branch ${wt.base} no longer exists` };
  const tip = await git(top, ['rev-parse', '--verify', '-q', `refs/heads/${wt.branch}`]).catch(() => null);
  if (!tip) return { merged: false, waits: `the task's branch ${wt.branch} no longer exists` };
  if (await isAncestor(top, tip, baseTip)) {
    await removeWorktree(wt);
    return { merged: true, how: 'already merged', commit: baseTip };
  }
  let target = tip;
  let how: 'fast-forward' | 'merge commit' = 'fast-forward';
  if (!(await isAncestor(top, baseTip, tip))) {
    const tree = await runGit(top, ['merge-tree', '--write-tree', '--name-only', '--no-messages', baseTip, tip]);
    const [treeId = '', ...conflicted] = tree.stdout.split('\n').filter(Boolean);
    if (tree.exitCode === 1) return { merged: false, waits: `conflict in ${list(conflicted)} between ${wt.branch} and ${wt.base}: merge it by hand (git merge ${wt.branch}), then run again` };
    if (!tree.ok) throw new Error(`git merge-tree: ${tree.stderr.trim() || tree.output.trim()}`);
    target = await git(top, ['commit-tree', treeId, '-p', baseTip, '-p', tip, '-m', `autonomous-loop: merge ${wt.branch} into ${wt.base}`], await identity(top));
    how = 'merge commit';
  }
  const checkedOut = await checkedOutIn(top, baseRef);
  if (checkedOut.length > 0 && !checkedOut.includes(realpathSync(top))) return { merged: false, waits: `${wt.base} is checked out in ${checkedOut[0]}: merge ${wt.branch} there` };
  if (checkedOut.length > 0) {
    // The person's work tree: only a fast-forward, which git refuses rather than touch their changes.
    const ff = await runGit(top, ['merge', '--ff-only', '-q', target]);
    if (!ff.ok) return { merged: false, waits: whyNotMerged(ff.stderr || ff.output, wt) };
  } else {
    const moved = await runGit(top, ['update-ref', '-m', `autonomous-loop: merge ${wt.branch}`, baseRef, target, baseTip]);
    if (!moved.ok) return { merged: false, waits: `${wt.base} moved while merging: run again` };
  }
  await removeWorktree(wt);
  return { merged: true, how, commit: target };
}

/** Where the task's worktree is gone: it is removed only when clean (its work is in its branch). */
async function removeWorktree(wt: TaskWorktree): Promise<void> {
  if (!existsSync(wt.top)) return;
  await runGit(wt.repo, ['worktree', 'remove', wt.top]);
}

function whyNotMerged(stderr: string, wt: TaskWorktree): string {
  const files = stderr
    .split('\n')
    .filter((l) => /^\t/.test(l))
    .map((l) => l.trim());
  if (/untracked working tree files would be/i.test(stderr)) return `your untracked files would be overwritten by ${wt.branch}: ${list(files)}; move them away, then run again`;
  if (/local changes .* would be overwritten/i.test(stderr)) return `your uncommitted changes to ${list(files)} would be overwritten by ${wt.branch}: commit or stash them, then run again`;
  if (/not possible to fast-forward|diverg/i.test(stderr)) return `${wt.base} moved while merging: run again`;
  return `git merge ${wt.branch} into ${wt.base} refused: ${stderr.trim().split('\n')[0] ?? ''}`;
}

async function checkedOutIn(top: string, ref: string): Promise<string[]> {
  const raw = await git(top, ['worktree', 'list', '--porcelain']);
  const out: string[] = [];
  let current = '';
  for (const line of raw.split('\n')) {
    if (line.startsWith('worktree ')) current = line.slice('worktree '.length);
    else if (line === `branch ${ref}`) out.push(existsSync(current) ? realpathSync(current) : current);
  }
  return out;
}

async function isAncestor(top: string, a: string, b: string): Promise<boolean> {
  return (await runGit(top, ['merge-base', '--is-ancestor', a, b])).exitCode === 0;
}

// A repository without user.name / user.email still gets its merge commit, signed as the loop.
async function identity(top: string): Promise<Record<string, string>> {
  const name = await git(top, ['config', 'user.name']).catch(() => '');
  const email = await git(top, ['config', 'user.email']).catch(() => '');
  if (name && email) return {};
  return { GIT_AUTHOR_NAME: name || 'autonomous-loop', GIT_AUTHOR_EMAIL: email || 'autonomous-loop@localhost', GIT_COMMITTER_NAME: name || 'autonomous-loop', GIT_COMMITTER_EMAIL: email || 'autonomous-loop@localhost' };
}

async function runGit(cwd: string, args: string[], env: Record<string, string> = {}): Promise<Awaited<ReturnType<typeof runCommand>>> {
  // No editor, no pager, no prompt: git never waits for a person here.
  return runCommand({ argv: ['git', ...args], cwd, env: { GIT_EDITOR: 'true', GIT_PAGER: 'cat', GIT_TERMINAL_PROMPT: '0', ...env }, timeoutMs: 120_000 });
}

async function git(cwd: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  const r = await runGit(cwd, args, env);
  if (!r.ok) throw new Error(`git ${args[0] ?? ''}: ${(r.stderr || r.output).trim().split('\n')[0] ?? ''}`);
  return r.stdout.trim();
}

const list = (files: string[]): string => `${files.slice(0, 5).join(', ')}${files.length > 5 ? `, … (${files.length} in all)` : ''}`;
