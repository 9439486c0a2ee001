import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCommand } from '../run-command.js';

/** What an approval holds of a project folder: where it really is, its content, its commit. */
export interface FolderFingerprint {
  /** The folder's real path (symlinks resolved). */
  path: string;
  /** `git:<tree>` of the working copy (uncommitted and untracked files in, git-ignored ones out), or `sha256:<digest>` of every file where there is no git. */
  content: string;
  /** HEAD of the repository the folder is in (a subfolder too); null without git or a first commit. */
  commit: string | null;
}

/** Hashing stops nowhere silently: past this many files a folder is refused instead. */
export const MAX_FOLDER_FILES = 500_000;

/** Thrown when a folder cannot be fingerprinted: an approval cannot be bound to it, so none holds. */
export class FingerprintError extends Error {}

/**
 * The fingerprint of the folder commands run in. In git: a temporary index (a copy of the real one,
 * so unchanged files are not hashed again), `git add -A` of the folder and `git write-tree`; the
 * folder's own subtree when it is a subfolder of the repository. The person's index is never touched.
 * `exclude`: absolute paths (files or folders) left out wherever they are inside the folder — the
 * loop's own files (`.aibrain/`, the queue files), which a run and a decision change themselves: an
 * approval bound to them could never hold.
 */
export async function fingerprintFolder(dir: string, exclude: readonly string[] = []): Promise<FolderFingerprint> {
  let real: string;
  try {
    real = realpathSync(dir);
  } catch (e) {
    throw new FingerprintError(`${dir}: cannot resolve the project folder (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const inside = exclude
    .map((p) => path.relative(real, realOrSame(p)))
    .filter((rel) => rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel))
    .map((rel) => rel.split(path.sep).join('/'));
  const where = await git(real, ['rev-parse', '--show-prefix', '--git-path', 'index']);
  if (!where.ok) return { path: real, content: `sha256:${digestFiles(real, inside)}`, commit: null };
  const [prefix = '', indexPath = ''] = where.stdout.split('\n');
  const tmp = mkdtempSync(path.join(tmpdir(), 'al-subject-'));
  try {
    const index = path.join(tmp, 'index');
    const realIndex = path.resolve(real, indexPath);
    if (existsSync(realIndex)) copyFileSync(realIndex, index);
    const env = { GIT_INDEX_FILE: index };
    const literal = inside.map((rel) => `:(literal)${rel}`);
    const added = await git(real, ['add', '-A', '--', '.', ...inside.map((rel) => `:(exclude,literal)${rel}`)], env);
    if (!added.ok) throw new FingerprintError(`${real}: git add -A (into a temporary index) failed: ${added.output.trim().slice(0, 300)}`);
    if (literal.length > 0) {
      const removed = await git(real, ['rm', '--cached', '-r', '-q', '--ignore-unmatch', '--', ...literal], env);
      if (!removed.ok) throw new FingerprintError(`${real}: git rm --cached (of the loop's own files, in a temporary index) failed: ${removed.output.trim().slice(0, 300)}`);
    }
    const tree = await git(real, ['write-tree'], env);
    if (!tree.ok) throw new FingerprintError(`${real}: git write-tree failed: ${tree.output.trim().slice(0, 300)}`);
    let content = tree.stdout.trim();
    const sub = prefix.replace(/\/$/, '');
    if (sub) {
      const own = await git(real, ['rev-parse', '--verify', '-q', `${content}:${sub}`], env);
      content = own.ok ? own.stdout.trim() : 'empty';
    }
    const head = await git(real, ['rev-parse', '--verify', '-q', 'HEAD']);
    return { path: real, content: `git:${content}`, commit: head.ok ? head.stdout.trim() || null : null };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function git(cwd: string, args: string[], env: Record<string, string> = {}) {
  return runCommand({ argv: ['git', ...args], cwd, env: { GIT_OPTIONAL_LOCKS: '0', ...env }, timeoutMs: 120_000, maxOutputChars: 64 * 1024 });
}

/**
 * sha-256 of each file under dir (relative path -> hex), every file at any depth, in a stable
 * order; a symlink counts by where it points. Past `limit` files: FingerprintError, never a partial map.
 */
export function hashFiles(dir: string, limit = MAX_FOLDER_FILES, skip: (name: string, relPath: string) => boolean = () => false): Record<string, string> {
  const out: Record<string, string> = {};
  let count = 0;
  const walk = (rel: string): void => {
    let names: string[];
    try {
      names = readdirSync(path.join(dir, rel)).sort();
    } catch (e) {
      throw new FingerprintError(`${path.join(dir, rel)}: cannot read the folder (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    for (const name of names) {
      const relPath = rel ? `${rel}/${name}` : name;
      if (skip(name, relPath)) continue;
      const full = path.join(dir, relPath);
      const stat = lstatSync(full);
      if (stat.isDirectory()) {
        walk(relPath);
        continue;
      }
      if (++count > limit) throw new FingerprintError(`${dir}: more than ${limit} files: too many to fingerprint, so no approval can hold for it`);
      if (stat.isSymbolicLink()) out[relPath] = `link:${readlinkSync(full)}`;
      else if (stat.isFile()) out[relPath] = createHash('sha256').update(readFileSync(full)).digest('hex');
    }
  };
  walk('');
  return out;
}

// A folder outside git: one digest of every file's path and content, the excluded paths left out.
function digestFiles(dir: string, exclude: readonly string[]): string {
  const hash = createHash('sha256');
  const skip = (_name: string, relPath: string) => exclude.includes(relPath);
  for (const [name, digest] of Object.entries(hashFiles(dir, MAX_FOLDER_FILES, skip))) hash.update(`${name}\0${digest}\n`);
  return hash.digest('hex').slice(0, 32);
}

// A path's real location when it exists (the folder's is resolved too), else the path as given.
function realOrSame(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}
