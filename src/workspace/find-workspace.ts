import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const MARKERS = ['tasks', 'governance', '.aibrain'];

/**
 * The workspace a command means when no --root is given, found as git finds its repository: the
 * nearest folder, from `start` up, holding tasks/, governance/ or .aibrain/ (else `start` itself).
 */
export function findWorkspaceRoot(start: string = process.cwd()): string {
  let dir = path.resolve(start);
  for (;;) {
    if (MARKERS.some((m) => isDirectory(path.join(dir, m)))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return path.resolve(start);
    dir = up;
  }
}

/** The arguments that name this workspace and project from the current folder, for a hint. */
export function targetArgs(root: string, project: string): string {
  const args = `--project ${project}`;
  if (findWorkspaceRoot() === path.resolve(root)) return args;
  const rel = path.relative(process.cwd(), root);
  return `${args} --root ${rel && !rel.startsWith('..') ? rel : root}`;
}

/** Queue files (work_queue_*.json) near a workspace: in tasks/ and below it, and in the current folder. */
export function listQueueFiles(root: string): string[] {
  const found = new Set<string>();
  const walk = (dir: string, depth: number): void => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isFile() && /^work_queue_.+\.json$/.test(e.name)) found.add(p);
      else if (e.isDirectory() && depth > 0 && !e.name.startsWith('.') && e.name !== 'node_modules') walk(p, depth - 1);
    }
  };
  walk(path.join(root, 'tasks'), 3);
  walk(root, 0);
  walk(process.cwd(), 0);
  return [...found].sort();
}

function isDirectory(p: string): boolean {
  try {
    return existsSync(p) && statSync(p).isDirectory();
  } catch {
    return false;
  }
}
