import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { InputError } from '../errors.js';
import { editDistance } from '../queue/edit-distance.js';
import { findWorkspaceRoot, listQueueFiles } from '../workspace/find-workspace.js';
import { packageRoot, resolveWorkspace, useQueueFile } from '../workspace/paths.js';

/**
 * Before a command runs: the workspace (--root, else found from the current folder as git finds
 * its repository), the queue (--queue FILE kept anywhere) and the project (--project, else the
 * queue file's own `project`, else the workspace's only queue).
 */
export function resolveTarget(action: Command): void {
  const names = new Set(action.options.map((o) => o.attributeName()));
  const opts = action.opts<{ root?: string; project?: string; queue?: string }>();
  if (names.has('root') && opts.root === undefined) action.setOptionValue('root', findWorkspaceRoot());
  if (!names.has('queue')) return;
  const root = action.getOptionValue('root') as string;
  if (opts.queue !== undefined) {
    const project = opts.project ?? projectOfQueueFile(opts.queue);
    useQueueFile(project, opts.queue);
    action.setOptionValue('project', project);
    return;
  }
  if (opts.project !== undefined) return;
  // listQueueFiles gives paths as `root` was written (`--root demo-workspace`): compared resolved.
  const queues = listQueueFiles(root).filter((f) => path.resolve(path.dirname(f)) === resolveWorkspace(root).tasksDir);
  const only = queues.length === 1 ? /^work_queue_(.+)\.json$/.exec(path.basename(queues[0] ?? ''))?.[1] : undefined;
  if (only) {
    action.setOptionValue('project', only);
    return;
  }
  const listed = queues.map((f) => /^work_queue_(.+)\.json$/.exec(path.basename(f))?.[1]).join(', ');
  throw new InputError(
    `${action.name()}: which project? --project <project> is required${queues.length > 0 ? ` (queues in ${shown(path.join(root, 'tasks'))}/: ${listed})` : ` (no queue in ${path.join(root, 'tasks')}/)`}\n` +
      `try 'autonomous-loop ${action.name() === 'run' ? '' : `${action.name()} `}--project <project>', or 'autonomous-loop init --project <name>'`,
  );
}

// A folder as a person reads it: relative when it is here or below, else absolute.
function shown(dir: string): string {
  const rel = path.relative(process.cwd(), dir);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : dir;
}

function projectOfQueueFile(file: string): string {
  let project: unknown;
  try {
    project = (JSON.parse(readFileSync(file, 'utf8')) as { project?: unknown }).project;
  } catch {
    project = undefined; // the loader reports what is wrong with the file itself
  }
  if (typeof project === 'string' && project.trim() !== '') return project;
  const fromName = /^work_queue_(.+)\.json$/.exec(path.basename(file))?.[1];
  if (fromName) return fromName;
  throw new InputError(`${file}: --queue: the file has no "project" and its name is not work_queue_<project>.json; add --project <project>`);
}

/** The candidate nearest to what was typed, if it is near enough to be a typo. */
export function suggest(word: string, candidates: string[]): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const name of candidates) {
    const d = editDistance(word.toLowerCase(), name.toLowerCase(), 100);
    if (!best || d < best.d) best = { name, d };
  }
  return best && best.d <= Math.max(2, Math.floor(word.length / 3)) ? best.name : undefined;
}

let version: string | undefined;

export function readVersion(): string {
  version ??= (JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  return version;
}
