import { existsSync, realpathSync } from 'node:fs';
import type { SimpleGit } from 'simple-git';
import { isCheckpointOf } from './git-baseline.js';

// `revert TASK --iteration N` (issue 26): only the task's own commits after that checkpoint are
// undone, and nothing else. On the task's own branch (not merged yet) the branch moves back; on
// the person's branch, when every commit since is the task's, it goes back (`git reset --keep`);
// when a person's or another task's commits came in between, the task's own are undone one by one
// with `git revert`, newest first, and the others stay.

interface Commit {
  hash: string;
  subject: string;
  body: string;
  merge: boolean;
}

export type RevertPlan =
  | { refused: string }
  | {
      /** `branch`: the task's own branch; `head`: the branch checked out in the person's work tree. */
      where: 'branch' | 'head';
      ref: string;
      how: 'reset' | 'revert';
      /** The task's own commits to drop or undo, newest first. */
      commits: { hash: string; subject: string }[];
      /** Others' commits after the checkpoint, which stay. */
      kept: { hash: string; subject: string }[];
      files: string[];
      /** The task's worktree, where its branch is checked out. */
      worktree: string | null;
    };

async function gitAt(dir: string): Promise<SimpleGit> {
  return (await import('simple-git')).simpleGit(dir);
}

/** What going back to a task's checkpoint would do. `branch`: the branch the checkpoint was made on. */
export async function planRevert(dir: string, checkpoint: string, taskId: string, branch: string | null): Promise<RevertPlan> {
  const git = await gitAt(dir);
  const tipOf = async (ref: string): Promise<string | null> => (await git.raw(['rev-parse', '--verify', '-q', ref]).catch(() => '')).trim() || null;
  const isAncestor = (a: string, b: string): Promise<boolean> => isAncestorIn(git, a, b);
  const own = branch?.startsWith('loop/') ? await tipOf(`refs/heads/${branch}`) : null;
  if (branch && own && !(await isAncestor(own, 'HEAD'))) {
    // The task's own branch, not merged: it alone moves back.
    if (!(await isAncestor(checkpoint, own))) return { refused: `${branch} does not descend from the checkpoint ${checkpoint.slice(0, 12)}: nothing dropped` };
    const commits = await commitsBetween(git, checkpoint, own);
    const foreign = commits.filter((c) => !isCheckpointOf(c.body, taskId));
    if (foreign.length > 0) return { refused: `${branch} holds commits that are not ${taskId}'s: ${describe(foreign)}; nothing dropped` };
    const files = commits.length > 0 ? lines(await git.raw(['diff', '--name-only', checkpoint, own])) : [];
    return { where: 'branch', ref: branch, how: 'reset', commits: short(commits), kept: [], files, worktree: await worktreeOf(git, branch) };
  }
  if (!(await isAncestor(checkpoint, 'HEAD'))) return { refused: `HEAD does not descend from the checkpoint ${checkpoint.slice(0, 12)} (another branch is checked out?): nothing dropped` };
  const head = (await git.raw(['symbolic-ref', '--short', '-q', 'HEAD']).catch(() => '')).trim() || 'HEAD';
  const all = await commitsBetween(git, checkpoint, 'HEAD');
  // The loop's merge of this task's branch is neither its work nor someone else's.
  const ownMerge = (c: Commit): boolean => c.merge && /^autonomous-loop: merge loop\/\S+ into /.test(c.subject) && (own === null || c.subject.includes(`${branch ?? ''} into`));
  const mine = all.filter((c) => !c.merge && isCheckpointOf(c.body, taskId));
  const others = all.filter((c) => !mine.includes(c) && !ownMerge(c));
  if (others.length === 0) {
    const files = all.length > 0 ? lines(await git.raw(['diff', '--name-only', checkpoint, 'HEAD'])) : [];
    return { where: 'head', ref: head, how: 'reset', commits: short(mine), kept: [], files, worktree: null };
  }
  const files = new Set<string>();
  for (const c of mine) for (const f of lines(await git.raw(['show', '--format=', '--name-only', c.hash]))) files.add(f);
  return { where: 'head', ref: head, how: 'revert', commits: short(mine), kept: short(others), files: [...files].sort(), worktree: null };
}

/** Carries the plan out; returns what was done, for the record. Throws (having changed nothing) when git refuses. */
export async function applyRevert(dir: string, checkpoint: string, plan: Exclude<RevertPlan, { refused: string }>): Promise<string> {
  const git = await gitAt(dir);
  if (plan.where === 'branch') {
    if (plan.worktree && existsSync(plan.worktree)) {
      await (await gitAt(plan.worktree)).raw(['reset', '--keep', checkpoint]);
      return `${plan.ref} back to ${checkpoint.slice(0, 12)} in its worktree (git reset --keep)`;
    }
    const tip = (await git.raw(['rev-parse', `refs/heads/${plan.ref}`])).trim();
    await git.raw(['update-ref', '-m', 'autonomous-loop revert', `refs/heads/${plan.ref}`, checkpoint, tip]);
    return `${plan.ref} back to ${checkpoint.slice(0, 12)} (was ${tip.slice(0, 12)})`;
  }
  const before = (await git.revparse(['HEAD'])).trim();
  if (plan.how === 'reset') {
    await git.raw(['reset', '--keep', checkpoint]);
    return `git reset --keep ${checkpoint.slice(0, 12)} (was ${before.slice(0, 12)})`;
  }
  try {
    await git.raw(['revert', '--no-edit', ...plan.commits.map((c) => c.hash)]);
  } catch (e) {
    // Half a revert is no revert: back to where it was, nothing changed.
    await git.raw(['revert', '--abort']).catch(() => undefined);
    const now = (await git.revparse(['HEAD'])).trim();
    if (now !== before) await git.raw(['reset', '--keep', before]).catch(() => undefined);
    throw e;
  }
  return `git revert of ${plan.commits.length} commit(s) on ${plan.ref} (${plan.kept.length} other commit(s) kept)`;
}

/**
 * Whether `a` is an ancestor of (or is) `b`. Not `merge-base --is-ancestor`: simple-git takes its
 * exit code 1, which prints nothing, for success.
 */
export async function isAncestorIn(git: SimpleGit, a: string, b: string): Promise<boolean> {
  const [ra, base] = await Promise.all([git.raw(['rev-parse', '--verify', '-q', `${a}^{commit}`]).catch(() => ''), git.raw(['merge-base', a, b]).catch(() => '')]);
  return ra.trim() !== '' && ra.trim() === base.trim();
}

async function commitsBetween(git: SimpleGit, from: string, to: string): Promise<Commit[]> {
  const raw = await git.raw(['log', '--format=%H%x1f%P%x1f%s%x1f%B%x1e', `${from}..${to}`]);
  return raw
    .split('\x1e')
    .map((r) => r.trim())
    .filter(Boolean)
    .map((r) => {
      const [hash = '', parents = '', subject = '', body = ''] = r.split('\x1f');
      return { hash, subject, body, merge: parents.trim().split(' ').length > 1 };
    });
}

async function worktreeOf(git: SimpleGit, branch: string): Promise<string | null> {
  let current = '';
  for (const line of (await git.raw(['worktree', 'list', '--porcelain'])).split('\n')) {
    if (line.startsWith('worktree ')) current = line.slice('worktree '.length);
    else if (line === `branch refs/heads/${branch}`) return existsSync(current) ? realpathSync(current) : current;
  }
  return null;
}

const lines = (s: string): string[] => s.split('\n').map((l) => l.trim()).filter(Boolean);
const short = (cs: Commit[]): { hash: string; subject: string }[] => cs.map((c) => ({ hash: c.hash, subject: c.subject }));
const describe = (cs: Commit[]): string => cs.map((c) => `${c.hash.slice(0, 12)} ${c.subject}`).join('; ');
