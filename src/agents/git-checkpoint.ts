import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SimpleGit } from 'simple-git';

// simple-git refuses an environment that sets an editor or a pager: only what git needs is passed.
const PASSED_ENV = ['PATH', 'HOME', 'USER', 'LANG', 'LC_ALL', 'TMPDIR', 'SYSTEMROOT', 'GIT_CONFIG_GLOBAL', 'GIT_CONFIG_NOSYSTEM', 'XDG_CONFIG_HOME'];

async function gitAt(dir: string, env?: Record<string, string>): Promise<SimpleGit> {
  const git = (await import('simple-git')).simpleGit(dir);
  if (!env) return git;
  const base = Object.fromEntries(PASSED_ENV.flatMap((k) => (process.env[k] !== undefined ? [[k, process.env[k] as string]] : [])));
  return git.env({ ...base, ...env });
}

/** Paths with changes in the work tree or the index (relative to the repository's top). */
export async function changedPaths(dir: string): Promise<{ top: string; paths: string[] } | null> {
  if (!existsSync(dir)) return null;
  const git = await gitAt(dir);
  let top: string;
  try {
    top = (await git.revparse(['--show-toplevel'])).trim();
  } catch (e) {
    // Not a work tree is an answer; any other failure is not, and must not pass for one.
    if (/not a git repository/i.test(e instanceof Error ? e.message : String(e))) return null;
    throw e;
  }
  const raw = await (await gitAt(top)).raw(['status', '--porcelain=v1', '-z', '--untracked-files=all']);
  const paths: string[] = [];
  const parts = raw.split('\0');
  for (let i = 0; i < parts.length; i++) {
    const entry = parts[i] ?? '';
    if (entry.length < 4) continue;
    paths.push(entry.slice(3));
    if (entry[0] === 'R' || entry[0] === 'C') paths.push(parts[++i] ?? ''); // the rename's source
  }
  return { top, paths: paths.filter(Boolean) };
}

export interface CheckpointRequest {
  message: string;
  /** `current`: the branch checked out; `run`: `runBranch`, made from HEAD the first time. */
  branch: 'current' | 'run';
  runBranch: string;
  /** Never committed (given absolute paths): what a person had changed or staged before the task, the loop's own files. */
  exclude: (absolutePath: string) => boolean;
}

export interface Checkpoint {
  commit: string;
  branch: string;
  files: number;
}

/**
 * Commits what the agent changed since the last checkpoint, without touching what a person had
 * staged: the commit is built in a temporary index from HEAD plus the agent's paths, HEAD (the
 * branch) moves to it, and only those paths are reset in the real index. Null when nothing changed
 * or the folder is not a git work tree with a commit.
 */
export async function makeCheckpoint(dir: string, request: CheckpointRequest): Promise<Checkpoint | null> {
  const changed = await changedPaths(dir);
  if (!changed) return null;
  const git = await gitAt(changed.top);
  const head = (await git.raw(['rev-parse', '--verify', '-q', 'HEAD']).catch(() => '')).trim();
  if (!head) return null;
  if (request.branch === 'run') await switchToRunBranch(git, request.runBranch);
  const paths = changed.paths.filter((p) => !request.exclude(path.join(changed.top, p)));
  if (paths.length === 0) return null;
  const branch = (await git.raw(['symbolic-ref', '--short', '-q', 'HEAD']).catch(() => '')).trim() || '(detached HEAD)';
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'al-index-'));
  try {
    const indexed = await gitAt(changed.top, { GIT_INDEX_FILE: path.join(tmp, 'index'), ...(await identity(git)) });
    await indexed.raw(['read-tree', head]);
    await indexed.raw(['add', '-A', '--', ...paths.map((p) => `:(literal)${p}`)]);
    const tree = (await indexed.raw(['write-tree'])).trim();
    const commit = (await indexed.raw(['commit-tree', tree, '-p', head, '-m', request.message])).trim();
    await git.raw(['update-ref', '-m', 'autonomous-loop checkpoint', 'HEAD', commit, head]);
    await git.raw(['reset', '-q', '--', ...paths.map((p) => `:(literal)${p}`)]);
    return { commit, branch, files: paths.length };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function switchToRunBranch(git: SimpleGit, runBranch: string): Promise<void> {
  const current = (await git.raw(['symbolic-ref', '--short', '-q', 'HEAD']).catch(() => '')).trim();
  if (current === runBranch) return;
  const exists = (await git.raw(['rev-parse', '--verify', '-q', `refs/heads/${runBranch}`]).catch(() => '')).trim();
  // Switching keeps the work tree's changes: the branch starts where HEAD is.
  await git.raw(exists ? ['switch', runBranch] : ['switch', '-c', runBranch]);
}

// A repository without user.name / user.email still gets checkpoints, signed as the loop.
async function identity(git: SimpleGit): Promise<Record<string, string>> {
  const name = (await git.raw(['config', 'user.name']).catch(() => '')).trim();
  const email = (await git.raw(['config', 'user.email']).catch(() => '')).trim();
  if (name && email) return {};
  return {
    GIT_AUTHOR_NAME: name || 'autonomous-loop',
    GIT_AUTHOR_EMAIL: email || 'autonomous-loop@localhost',
    GIT_COMMITTER_NAME: name || 'autonomous-loop',
    GIT_COMMITTER_EMAIL: email || 'autonomous-loop@localhost',
  };
}

/**
 * A fingerprint of the work tree's content apart from `exclude` (paths relative to the top): HEAD,
 * the status, the diff against HEAD and each untracked file's size and time. Two equal
 * fingerprints mean nothing was changed between them; null when the folder is not a work tree.
 * `exclude` holds absolute paths (the loop's own files).
 */
export async function workTreeFingerprint(dir: string, exclude: readonly string[]): Promise<string | null> {
  const changed = await changedPaths(dir);
  if (!changed) return null;
  const git = await gitAt(changed.top);
  const inside = exclude.map((p) => path.relative(changed.top, p)).filter((p) => p !== '' && !p.startsWith('..'));
  const spec = ['--', '.', ...inside.map((p) => (p.includes('*') ? `:(exclude,glob)${p}` : `:(exclude,literal)${p}`))];
  const head = (await git.raw(['rev-parse', '--verify', '-q', 'HEAD']).catch(() => '')).trim();
  const status = await git.raw(['status', '--porcelain=v1', '-z', '--untracked-files=all', ...spec]);
  const diff = head ? await git.raw(['diff', '--binary', 'HEAD', ...spec]) : '';
  const { createHash } = await import('node:crypto');
  const { statSync } = await import('node:fs');
  const hash = createHash('sha256').update(`${head}\0${status}\0${diff}`);
  for (const entry of status.split('\0')) {
    if (!entry.startsWith('?? ')) continue;
    try {
      const s = statSync(path.join(changed.top, entry.slice(3)));
      hash.update(`${entry}:${s.size}:${s.mtimeMs}`);
    } catch {
      hash.update(`${entry}:gone`);
    }
  }
  return hash.digest('hex');
}
