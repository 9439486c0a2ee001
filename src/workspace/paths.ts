import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../errors.js';

export interface Workspace {
  root: string;
  tasksDir: string;
  governanceDir: string;
  guardrailsDir: string;
  aibrainDir: string;
  logsDir: string;
  stateDb: string;
  deploymentsFile: string;
  decisionsFile: string;
}

export function resolveWorkspace(root: string = process.cwd()): Workspace {
  const abs = path.resolve(root);
  const aibrain = path.join(abs, '.aibrain');
  return {
    root: abs,
    tasksDir: path.join(abs, 'tasks'),
    governanceDir: path.join(abs, 'governance'),
    guardrailsDir: path.join(abs, 'guardrails'),
    aibrainDir: aibrain,
    logsDir: path.join(aibrain, 'logs'),
    stateDb: path.join(aibrain, 'state.db'),
    deploymentsFile: path.join(aibrain, 'deployments.json'),
    decisionsFile: path.join(aibrain, 'decisions.jsonl'),
  };
}

let cachedPackageRoot: string | undefined;

/** The installed package's folder: where the default contract, rule packs and schema live. */
export function packageRoot(): string {
  if (cachedPackageRoot) return cachedPackageRoot;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('autonomous-loop: cannot find its own package.json');
    dir = up;
  }
  cachedPackageRoot = dir;
  return dir;
}

const PROJECT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** A project name becomes part of file names, so it may not carry separators or dots alone. */
export function assertProjectName(project: string): string {
  if (!PROJECT_NAME.test(project) || project.includes('..')) {
    throw new InputError(
      `--project: '${project}' is not a project name (letters, digits, '.', '_' and '-', starting with a letter or digit)`,
    );
  }
  return project;
}

const queueFiles = new Map<string, string>();

/** `--queue FILE`: this process reads and writes the project's queue there instead of tasks/. */
export function useQueueFile(project: string, file: string): void {
  queueFiles.set(assertProjectName(project), path.resolve(file));
}

export function queueFilePath(ws: Workspace, project: string): string {
  return queueFiles.get(project) ?? path.join(ws.tasksDir, `work_queue_${assertProjectName(project)}.json`);
}

export function projectConfigPath(ws: Workspace, project: string): string {
  return path.join(ws.governanceDir, 'projects', `${assertProjectName(project)}.yaml`);
}

/** The workspace's contract if it has one, else the package's default. */
export function contractPath(ws: Workspace): string {
  const own = path.join(ws.governanceDir, 'contracts', 'operator-team.yaml');
  return existsSync(own) ? own : path.join(packageRoot(), 'governance', 'contracts', 'operator-team.yaml');
}

/**
 * Resolves `p` against `base` and refuses a result outside it (`..`, absolute paths elsewhere).
 * `what` names the value in the message, e.g. `tasks/work_queue_demo.json: features[2].migrations_path`.
 */
export function resolveInside(base: string, p: string, what: string): string {
  const resolved = path.resolve(base, p);
  const rel = path.relative(base, resolved);
  if (rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
    throw new InputError(`${what}: '${p}' leaves the project root ${base}`);
  }
  return resolved;
}

/** A path as a person gave it: relative to the current folder when it is under it, else absolute. */
export function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}
