import { existsSync } from 'node:fs';
import path from 'node:path';
import type { SimpleGit } from 'simple-git';

// simple-git is loaded when a task first touches git, not at start-up.
async function simpleGit(dir: string): Promise<SimpleGit> {
  return (await import('simple-git')).simpleGit(dir);
}

/** The state of a work tree when a task started: enough to put it back. */
export interface GitBaseline {
  head: string;
  /** `git stash create` of the tracked changes a person had then (null when the tree was clean). */
  dirty: string | null;
  untracked: string[];
}

export async function isGitRepo(dir: string): Promise<boolean> {
  if (!existsSync(dir)) return false;
  try {
    return await (await simpleGit(dir)).checkIsRepo();
  } catch {
    return false;
  }
}

export async function captureBaseline(dir: string): Promise<GitBaseline | null> {
  if (!(await isGitRepo(dir))) return null;
  const git = await simpleGit(dir);
  let head: string;
  try {
    head = (await git.revparse(['HEAD'])).trim();
  } catch {
    return null; // no commit yet
  }
  const dirty = (await git.raw(['stash', 'create'])).trim() || null;
  const status = await git.status();
  return { head, dirty, untracked: status.not_added };
}

/**
 * Undoes what a task did to the work tree since its baseline: commits, tracked changes and new
 * files. What a person had before (uncommitted changes, untracked files) is kept.
 */
export async function revertToBaseline(dir: string, baseline: GitBaseline): Promise<string> {
  const git = await simpleGit(dir);
  const before = (await git.status()).not_added;
  await git.reset(['--hard', baseline.head]);
  const created = before.filter((f) => !baseline.untracked.includes(f));
  if (created.length > 0) await git.raw(['clean', '-f', '--', ...created.map((f) => path.normalize(f))]);
  if (baseline.dirty) await git.raw(['stash', 'apply', baseline.dirty]);
  return `git reset --hard ${baseline.head.slice(0, 12)}${created.length > 0 ? `, removed ${created.length} new file(s)` : ''}${baseline.dirty ? ', restored the uncommitted changes from before' : ''}`;
}
