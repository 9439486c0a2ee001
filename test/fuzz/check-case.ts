import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { loadProjectConfig } from '../../src/agents/project-config.js';
import { loadWorkspaceQueue } from '../../src/engine/load-workspace-queue.js';
import { InputError, LoopError } from '../../src/errors.js';
import { parseQueue, type Queue, type QueueDefaults } from '../../src/queue/load-queue.js';
import { patchStatuses } from '../../src/queue/patch-statuses.js';
import { displayPath, resolveWorkspace } from '../../src/workspace/paths.js';
import type { FileKind, FuzzCase } from './fuzz-case.js';
import { PROJECT_DIR } from './project-cases.js';

export const PROJECT = 'p';
/** A case that takes longer than this counts as a hang. */
export const CASE_LIMIT_MS = 5_000;

export const VALID_QUEUE = `${JSON.stringify({ project: PROJECT, features: [{ id: 'A', agent_type: 'noop' }, { id: 'B', agent_type: 'noop', depends_on: ['A'] }] }, null, 2)}\n`;
export const VALID_CONTRACT = [
  'version: 1',
  'environments:',
  '  development: {auto_deploy: true, auto_rollback: true, approval: never}',
  '  staging: {auto_deploy: true, auto_rollback: true, approval: first-time}',
  '  production: {auto_deploy: false, auto_rollback: false, approval: always}',
  'agents:',
  '  noop: {max_iterations: 1}',
  '',
].join('\n');
export const VALID_PROJECT = `version: 1\nenvironments:\n  development:\n    port: 4301\npath: ${PROJECT_DIR}\n`;

export interface FuzzWorkspace {
  root: string;
  files: Record<FileKind, string>;
}

const BASELINE: Record<FileKind, string> = { queue: VALID_QUEUE, contract: VALID_CONTRACT, project: VALID_PROJECT };

const made: string[] = [];
// Thousands of small writes: on tmpfs (/dev/shm) when the machine has it, they cost a twentieth.
const tmpBase = existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();

/** A workspace with a valid queue, contract and project file, and the project's folder. */
export function makeFuzzWorkspace(): FuzzWorkspace {
  const root = mkdtempSync(path.join(tmpBase, 'al-fuzz-'));
  made.push(root);
  const files: Record<FileKind, string> = {
    queue: path.join(root, 'tasks', `work_queue_${PROJECT}.json`),
    contract: path.join(root, 'governance', 'contracts', 'operator-team.yaml'),
    project: path.join(root, 'governance', 'projects', `${PROJECT}.yaml`),
  };
  for (const file of Object.values(files)) mkdirSync(path.dirname(file), { recursive: true });
  mkdirSync(path.join(root, PROJECT_DIR));
  resetFiles({ root, files });
  return { root, files };
}

/** Puts the valid files back: all of them, or the one a case replaced. */
export function removeFuzzWorkspaces(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function resetFiles(ws: FuzzWorkspace, only?: FileKind): void {
  for (const kind of only ? [only] : (Object.keys(BASELINE) as FileKind[])) writeFileSync(ws.files[kind], BASELINE[kind]);
}

const hashOf = (content: string | Buffer): string => createHash('sha256').update(content).digest('hex');
const hashFiles = (ws: FuzzWorkspace): string => (Object.keys(BASELINE) as FileKind[]).map((k) => hashOf(readFileSync(ws.files[k]))).join();
const STACK_LINE = /^\s*at .*(:\d+(:\d+)?\)?|\(native\)|<anonymous>\)?)$/m;
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f]/;
// A place in the file, or a statement about the whole file (empty, too big).
const LOCATION = /line \d+, column \d+|\(top\)|the file is (empty|[\d.]+ MB)|\b(features|tasks|project|version|environments|approvers|default_agent|agents|severity_overrides|path|git|defaults|description|extra_top)\b/;

/** What is wrong with a refusal's message: one paragraph, no stack, the file named, a place in it named. */
export function describeMessageProblem(message: string, fileNames: readonly string[], expect?: RegExp): string | undefined {
  if (message.trim() === '') return 'the message is empty';
  if (/\n\s*\n/.test(message)) return 'the message is more than one paragraph';
  if (STACK_LINE.test(message) || /this is a bug/.test(message)) return 'the message carries a stack trace';
  if (RAW_CONTROL.test(message)) return 'the message carries raw control characters';
  if (message.length > 100_000) return `the message is ${message.length} characters long`;
  const firstLine = message.split('\n')[0] ?? '';
  if (!fileNames.some((f) => firstLine.includes(f))) return `the message does not name the file (${fileNames[0]})`;
  let rest = message;
  for (const f of fileNames) rest = rest.split(f).join('');
  if (!LOCATION.test(rest)) return 'the message names no JSON/YAML path and no line/column';
  if (expect && !expect.test(message)) return `the message does not say ${expect}`;
  return undefined;
}

/**
 * Loads the case's file the way the CLI does (then puts the valid file back); undefined when every
 * promise held, else what broke.
 */
export function checkCase(ws: FuzzWorkspace, c: FuzzCase): string | undefined {
  writeFileSync(ws.files[c.kind], c.content);
  const hashes = (Object.keys(BASELINE) as FileKind[]).map((k) => hashOf(k === c.kind ? c.content : BASELINE[k])).join();
  const started = performance.now();
  let loaded: { queue?: Queue; defaults?: QueueDefaults } | undefined;
  let error: unknown;
  try {
    if (c.kind === 'project') {
      loadProjectConfig(resolveWorkspace(ws.root), PROJECT);
      loaded = {};
    } else {
      const { queue, defaults } = loadWorkspaceQueue(ws.root, PROJECT);
      loaded = { queue, defaults };
    }
  } catch (e) {
    error = e;
  }
  const ms = performance.now() - started;
  const problems: string[] = [];
  if (ms > CASE_LIMIT_MS) problems.push(`took ${Math.round(ms)} ms`);
  if (hashFiles(ws) !== hashes) problems.push('a file changed');
  resetFiles(ws, c.kind);
  if (existsSync(path.join(ws.root, '.aibrain'))) problems.push('.aibrain/ was created');
  if (c.valid) {
    if (error) problems.push(`refused valid input: ${error instanceof Error ? `${error.name}: ${error.message.slice(0, 300)}` : String(error)}`);
    else if (c.kind === 'queue' && loaded?.queue && loaded.defaults) {
      const writeBack = describeWriteBackProblem(loaded.queue, loaded.defaults);
      if (writeBack) problems.push(writeBack);
    }
  } else if (!error) {
    problems.push('accepted invalid input');
  } else if (!(error instanceof InputError) || (error as LoopError).exitCode !== 2) {
    problems.push(`threw ${error instanceof Error ? `${error.name}: ${error.message.slice(0, 300)}` : String(error)} rather than an InputError`);
  } else {
    const names = fileNamesOf(ws, c.kind);
    const why = describeMessageProblem(error.message, names, c.expect);
    if (why) problems.push(`${why}: ${JSON.stringify(error.message.slice(0, 400))}`);
  }
  return problems.length > 0 ? problems.join('; ') : undefined;
}

function fileNamesOf(ws: FuzzWorkspace, kind: FileKind): string[] {
  const file = ws.files[kind];
  return [displayPath(file), file, path.relative(ws.root, file)];
}

/** Every task gets a new status; the file must then differ in those values only. */
function describeWriteBackProblem(queue: Queue, defaults: QueueDefaults): string | undefined {
  const updates = new Map(queue.tasks.map((t) => [t.id, queue.fileStatus.get(t.id) === 'failed' ? 'skipped' : 'failed']));
  const out = patchStatuses(queue.text, queue.tasksKey, updates);
  let again: Queue;
  try {
    again = parseQueue(out, queue.file, defaults);
  } catch (e) {
    return `the written-back file no longer loads: ${(e as Error).message.slice(0, 300)}`;
  }
  for (const [id, status] of updates) if (again.fileStatus.get(id) !== status) return `task ${id}: status ${again.fileStatus.get(id)} after writing ${status}`;
  const before = JSON.parse(stripBom(queue.text)) as Record<string, unknown>;
  const after = JSON.parse(stripBom(out)) as Record<string, unknown>;
  const tasks = before[queue.tasksKey] as Record<string, unknown>[];
  for (const task of tasks) task.status = updates.get(task.id as string);
  if (!isDeepStrictEqual(after, before) || JSON.stringify(after) !== JSON.stringify(before)) return 'the write-back changed more than the statuses';
  if (out.startsWith('\ufeff') !== queue.text.startsWith('\ufeff')) return 'the write-back changed the BOM';
  return undefined;
}

const stripBom = (text: string): string => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
