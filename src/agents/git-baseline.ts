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

/** What a revert may never touch (absolute paths): the queue file, `.aibrain/`. */
export type KeepOut = (absolutePath: string) => boolean;

/**
 * Undoes what one task did since its baseline, and nothing else: its own checkpoint commits (when
 * every commit since the baseline is one of them; a person's commit or another task's in between
 * refuses the revert, naming them), its uncommitted edits to files that were clean when it started,
 * and the files it created. Never `git reset --hard`: a person's changes from before, the queue
 * file and `.aibrain/` are not touched.
 */
export async function revertToBaseline(dir: string, baseline: GitBaseline, taskId: string, keepOut: KeepOut): Promise<string> {
  const git = await simpleGit(dir);
  const top = (await git.revparse(['--show-toplevel'])).trim();
  const head = (await git.revparse(['HEAD'])).trim();
  const done: string[] = [];
  if (head !== baseline.head) {
    const commits = await commitsSince(git, baseline.head);
    if (commits === null) throw new Error(`HEAD (${head.slice(0, 12)}) no longer descends from where the task started (${baseline.head.slice(0, 12)}): nothing reverted`);
    const foreign = commits.filter((c) => !isCheckpointOf(c.body, taskId));
    if (foreign.length > 0) throw new Error(`not this task's: ${foreign.map((c) => `${c.hash.slice(0, 12)} ${c.subject}`).join('; ')} — nothing reverted; undo the task's own commits with git revert`);
    await git.raw(['reset', '--keep', baseline.head]);
    done.push(`dropped ${commits.length} checkpoint commit(s) of ${taskId} (git reset --keep ${baseline.head.slice(0, 12)})`);
  }
  const dirtyBefore = new Set(baseline.dirty ? (await git.raw(['diff', '--name-only', baseline.head, baseline.dirty])).split('\n').filter(Boolean) : []);
  const untrackedBefore = new Set(baseline.untracked);
  const status = await git.status();
  const mine = (f: string): boolean => !keepOut(path.join(top, f));
  const edited = [...new Set([...status.modified, ...status.deleted])].filter((f) => !dirtyBefore.has(f) && !untrackedBefore.has(f) && mine(f));
  const created = status.not_added.filter((f) => !untrackedBefore.has(f) && mine(f));
  if (edited.length > 0) {
    await git.raw(['checkout', baseline.head, '--', ...edited.map((f) => `:(literal)${f}`)]);
    done.push(`restored ${edited.length} file(s) the task edited: ${list(edited)}`);
  }
  if (created.length > 0) {
    await git.raw(['clean', '-f', '--', ...created.map((f) => `:(literal)${path.normalize(f)}`)]);
    done.push(`removed ${created.length} file(s) the task created: ${list(created)}`);
  }
  return done.length > 0 ? done.join('; ') : 'nothing to revert: the task changed nothing';
}

interface Commit {
  hash: string;
  subject: string;
  body: string;
}

/** The commits from `base` (excluded) to HEAD, newest first; null when HEAD does not descend from it. */
export async function commitsSince(git: SimpleGit, base: string): Promise<Commit[] | null> {
  // Not `merge-base --is-ancestor`: simple-git takes its silent exit code 1 for success.
  const [resolved, mergeBase] = await Promise.all([git.raw(['rev-parse', '--verify', '-q', `${base}^{commit}`]).catch(() => ''), git.raw(['merge-base', base, 'HEAD']).catch(() => '')]);
  const ancestor = resolved.trim() !== '' && resolved.trim() === mergeBase.trim();
  if (!ancestor) return null;
  const raw = await git.raw(['log', '--format=%H%x1f%s%x1f%B%x1e', `${base}..HEAD`]);
  return raw
    .split('\x1e')
    .map((r) => r.trim())
    .filter(Boolean)
    .map((r) => {
      const [hash = '', subject = '', body = ''] = r.split('\x1f');
      return { hash, subject, body };
    });
}

/** A checkpoint the loop made for this task (its message names the task). */
export const isCheckpointOf = (message: string, taskId: string): boolean => message.startsWith(`autonomous-loop: ${taskId} iteration `) && message.includes(`, task ${taskId}, iteration `);

const list = (files: string[]): string => `${files.slice(0, 5).join(', ')}${files.length > 5 ? ', …' : ''}`;
