import { existsSync } from 'node:fs';
import path from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';

// The project's own git repository (the path in its project file), never the loop's: the commit a
// deployment came from, the release tag, and what changed since the last deployed release.

export interface TagOutcome {
  tag: string;
  /** false: the tag was there already (it is never moved). */
  created: boolean;
  commit: string | null;
  error?: string;
}

async function openRepo(dir: string): Promise<SimpleGit | undefined> {
  if (!existsSync(dir)) return undefined;
  const git = simpleGit({ baseDir: dir });
  try {
    return (await git.checkIsRepo()) ? git : undefined;
  } catch {
    return undefined;
  }
}

export function releaseTag(version: string): string {
  return `v${version}`;
}

/** HEAD of the repo at `dir`, or null when it is not a git repository (or has no commit). */
export async function readHeadCommit(dir: string): Promise<string | null> {
  const git = await openRepo(dir);
  if (!git) return null;
  try {
    return (await git.revparse(['--verify', 'HEAD'])).trim() || null;
  } catch {
    return null;
  }
}

/** Tags HEAD `v<version>` unless that tag exists. */
export async function tagRelease(dir: string, version: string, message: string): Promise<TagOutcome> {
  const tag = releaseTag(version);
  const git = await openRepo(dir);
  if (!git) return { tag, created: false, commit: null, error: `${dir} is not a git repository` };
  try {
    const existing = await git.tags(['--list', tag]);
    if (existing.all.includes(tag)) {
      const commit = (await git.revparse([`${tag}^{commit}`])).trim();
      return { tag, created: false, commit };
    }
    const commit = (await git.revparse(['--verify', 'HEAD'])).trim();
    await git.addAnnotatedTag(tag, message);
    return { tag, created: true, commit };
  } catch (error) {
    return { tag, created: false, commit: null, error: error instanceof Error ? error.message.split('\n')[0] : String(error) };
  }
}

/**
 * Files under `projectPath` changed between the tag of `sinceVersion` and HEAD, as absolute paths
 * of files that still exist. Empty when there is no repository or no such tag.
 */
export async function listChangedFiles(repoDir: string, projectPath: string, sinceVersion: string): Promise<string[]> {
  const git = await openRepo(repoDir);
  if (!git) return [];
  try {
    const top = (await git.revparse(['--show-toplevel'])).trim();
    const tag = releaseTag(sinceVersion);
    if (!(await git.tags(['--list', tag])).all.includes(tag)) return [];
    const scope = path.relative(top, projectPath) || '.';
    const names = await git.diff(['--name-only', '--no-renames', tag, 'HEAD', '--', scope]);
    return names
      .split('\n')
      .filter((n) => n.length > 0)
      .map((n) => path.join(top, n))
      .filter((f) => existsSync(f));
  } catch {
    return [];
  }
}
