import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * The repository's tag names, read from `.git` (loose refs and packed-refs) without running git:
 * undefined when the project is not a git repository. Worktrees and `.git` files are followed.
 */
export function readGitTags(projectPath: string): string[] | undefined {
  const gitDir = findGitDir(projectPath);
  if (!gitDir) return undefined;
  let commonDir = gitDir;
  try {
    commonDir = path.resolve(gitDir, readFileSync(path.join(gitDir, 'commondir'), 'utf8').trim());
  } catch {
    // not a linked worktree
  }
  const tags = new Set<string>();
  collectLoose(path.join(commonDir, 'refs', 'tags'), '', tags);
  try {
    for (const line of readFileSync(path.join(commonDir, 'packed-refs'), 'utf8').split('\n')) {
      const m = /^[0-9a-f]{40,64} refs\/tags\/(.+)$/.exec(line.trim());
      if (m?.[1]) tags.add(m[1]);
    }
  } catch {
    // no packed refs
  }
  return [...tags].sort();
}

function findGitDir(start: string): string | undefined {
  let dir = path.resolve(start);
  for (;;) {
    const candidate = path.join(dir, '.git');
    try {
      const stat = statSync(candidate);
      if (stat.isDirectory()) return candidate;
      const m = /^gitdir:\s*(.+)$/m.exec(readFileSync(candidate, 'utf8'));
      if (m?.[1]) return path.resolve(dir, m[1].trim());
    } catch {
      // keep looking upwards
    }
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

function collectLoose(dir: string, prefix: string, tags: Set<string>): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const name = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) collectLoose(path.join(dir, entry.name), name, tags);
    else tags.add(name);
  }
}
