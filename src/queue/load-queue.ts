import { isUtf8 } from 'node:buffer';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { TaskSpec } from './task-spec.js';
import { editDistance } from './edit-distance.js';
import { InputError, formatProblems, quoteValue } from '../errors.js';
import { normalizeEnvironment } from '../workspace/environment.js';
import { displayPath } from '../workspace/paths.js';
import { lineColumn, parseJsonText } from './json-text.js';
import { findCycle } from './plan-waves.js';
import { readBusinessCase, readSafetyExceptions } from './business-case.js';
import { QueueSchema, TaskSchema, defaultPromise, durationSeconds, type RawTask, type TaskStatus } from './schema.js';

const MAX_SUGGESTIONS = 20;

export interface QueueDefaults {
  defaultAgent: string;
  maxIterations(agentType: string): number;
}

export interface Queue {
  file: string;
  /** The file as messages name it: relative to the working directory when inside it. */
  displayFile: string;
  text: string;
  /** The file's own `project` (may differ from the --project name). */
  projectName: string;
  tasksKey: 'features' | 'tasks';
  tasks: TaskSpec[];
  /** Each task's status as the file has it now (normalized; `pending` when absent). */
  fileStatus: Map<string, TaskStatus>;
  /** The file writes `completed` rather than `complete`. */
  usesCompleted: boolean;
}

/** The queue file's text as it is now, or undefined when it cannot be read (a writer's last look before it swaps). */
export function readQueueFileQuietly(file: string): string | undefined {
  try {
    return readQueueFile(file);
  } catch {
    return undefined;
  }
}

export function readQueueFile(file: string): string {
  let bytes: Buffer;
  try {
    const stat = statSync(file);
    // A device or a pipe would be read forever (or block): not a queue file.
    if (!stat.isFile() && !stat.isDirectory()) throw new InputError(`${displayPath(file)}: not a regular file (a device, a pipe or a socket): expected a JSON queue file`);
    bytes = readFileSync(file);
  } catch (e) {
    if (e instanceof InputError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(`${displayPath(file)}: no such queue file (create it, or run 'autonomous-loop init --project <name>')`);
    if (code === 'EISDIR') throw new InputError(`${displayPath(file)}: is a folder, expected a JSON queue file`);
    throw new InputError(`${displayPath(file)}: cannot read the queue file (${code ?? String(e)})`);
  }
  const text = bytes.toString('utf8');
  // Bytes that are not UTF-8 would come back as U+FFFD in a write-back: refused rather than changed.
  if (!isUtf8(bytes)) {
    const { line, column } = lineColumn(text, Math.max(0, text.indexOf('\ufffd')));
    throw new InputError(`${displayPath(file)}: line ${line}, column ${column}: not valid UTF-8 (save the file as UTF-8)`);
  }
  return text;
}

/**
 * The queue file, read and checked. A file that does not parse is read again while it is changing
 * under us (an editor saving in place truncates, then writes): refused once it stands still
 * invalid, or after ~1 s of change or emptiness.
 */
export function loadQueue(file: string, defaults: QueueDefaults): Queue {
  let text = readQueueFile(file);
  for (let reread = 0; ; reread++) {
    try {
      return parseQueue(text, file, defaults);
    } catch (e) {
      if (!(e instanceof InputError) || reread >= 40) throw e;
      pause(25);
      const again = readQueueFile(file);
      // an empty file is a save between its truncate and its write: waited for; other text only while it changes
      if (again === text && text.trim() !== '') throw e;
      text = again;
    }
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function pause(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/** Validates the whole file and reports every problem at once, each as `path: message`. */
export function parseQueue(text: string, file: string, defaults: QueueDefaults): Queue {
  const displayFile = displayPath(file);
  const json = parseJsonText(text, displayFile);
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new InputError(`${displayFile}: (top): expected a JSON object with a "features" array, got ${Array.isArray(json) ? 'an array' : json === null ? 'null' : typeof json}`);
  }
  const top = QueueSchema.safeParse(json);
  if (!top.success) {
    const problems = top.error.issues.map(issueText);
    throw new InputError(formatProblems(`${displayFile}: not a valid work queue`, problems), problems);
  }
  const { features, tasks: tasksAlias } = top.data;
  if (features != null && tasksAlias != null) {
    throw new InputError(`${displayFile}: has both "features" and "tasks": keep one of them`);
  }
  const tasksKey = features != null ? 'features' : tasksAlias != null ? 'tasks' : undefined;
  if (!tasksKey) throw new InputError(`${displayFile}: (top): expected a "features" array (or "tasks") of tasks`);
  const rawTasks = (features ?? tasksAlias) as unknown[];

  const problems: string[] = [];
  const specs: TaskSpec[] = [];
  const fileStatus = new Map<string, TaskStatus>();
  const firstIndex = new Map<string, number>();
  let usesCompleted = false;

  rawTasks.forEach((value, index) => {
    const at = `${tasksKey}[${index}]`;
    const parsed = TaskSchema.safeParse(value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push(`${at}${issue.path.map(pathPart).join('')}: ${issue.message}`);
      return;
    }
    const raw = parsed.data;
    const seen = firstIndex.get(raw.id);
    if (seen !== undefined) {
      problems.push(`${at}.id: duplicate task id '${raw.id}' (first at ${tasksKey}[${seen}])`);
      return;
    }
    firstIndex.set(raw.id, index);
    const spec = toTaskSpec(raw, index, at, defaults, problems);
    if (!spec) return;
    specs.push(spec);
    fileStatus.set(raw.id, raw.status ?? 'pending');
    const rawStatus = (value as { status?: unknown }).status;
    if (typeof rawStatus === 'string' && rawStatus.trim().toLowerCase() === 'completed') usesCompleted = true;
  });

  // Suggestions compare an id with every known one: offered for the first few unknown ids only,
  // so a file with thousands of them is still reported at once.
  let suggestionsLeft = MAX_SUGGESTIONS;
  for (const spec of specs) {
    spec.dependsOn.forEach((dep, d) => {
      if (dep === spec.id) problems.push(`${tasksKey}[${spec.index}].depends_on[${d}]: '${dep}' depends on itself`);
      else if (!firstIndex.has(dep)) {
        const hint = suggestionsLeft-- > 0 ? suggest(dep, firstIndex) : '';
        problems.push(`${tasksKey}[${spec.index}].depends_on[${d}]: unknown task id '${dep}'${hint}`);
      }
    });
  }
  if (problems.length === 0) {
    const cycle = findCycle(specs);
    if (cycle) problems.push(`${tasksKey}: dependency cycle ${cycle.join(' -> ')}`);
  }
  if (problems.length > 0) {
    const header = `${displayFile}: ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}`;
    throw new InputError(formatProblems(header, problems), problems);
  }
  const projectName = top.data.project ?? path.basename(file).replace(/^work_queue_/, '').replace(/\.json$/, '');
  return { file, displayFile, text, projectName, tasksKey, tasks: specs, fileStatus, usesCompleted };
}

function toTaskSpec(raw: RawTask, index: number, at: string, defaults: QueueDefaults, problems: string[]): TaskSpec | undefined {
  const before = problems.length;
  // A task naming no agent gets the contract's default (a coding preset); one with its own
  // `command` is a script and stays a command task.
  const agentType = raw.agent_type ?? (raw.command != null ? 'command' : defaults.defaultAgent);
  let environment: TaskSpec['environment'];
  if (raw.environment != null) {
    environment = normalizeEnvironment(raw.environment);
    if (!environment) problems.push(`${at}.environment: expected development, staging or production (or dev, stage, prod), got ${quoteValue(raw.environment)}`);
  }
  if (raw.migrations_path != null) {
    const normal = path.posix.normalize(raw.migrations_path.replaceAll('\\', '/'));
    if (path.isAbsolute(raw.migrations_path) || normal === '..' || normal.startsWith('../') || raw.migrations_path.includes('\0')) {
      problems.push(`${at}.migrations_path: ${quoteValue(raw.migrations_path)} leaves the project root (expected a path inside the project)`);
    }
  }
  if (agentType === 'rollback' && !environment && raw.environment == null) problems.push(`${at}.environment: missing (a rollback task names the environment it rolls back)`);
  if (agentType === 'rollback' && raw.environment == null) problems.push(`${at}.environment: missing (a rollback task names the environment it rolls back)`);
  if (raw.command?.some((arg) => arg.includes('\0'))) problems.push(`${at}.command: an argument contains a NUL character`);
  const provisioning = agentType === 'provisioning' ? readProvisioning(raw, at, problems) : undefined;
  const deps = [...(raw.depends_on ?? []), ...(raw.dependencies ?? [])];
  const dependsOn = [...new Set(deps)];
  let approvalReasons: string[] | false = false;
  const ra = raw.requires_approval;
  if (ra === true) approvalReasons = ['requires_approval'];
  else if (typeof ra === 'string') approvalReasons = [ra];
  else if (Array.isArray(ra)) approvalReasons = ra.length > 0 ? ra : false;
  if (problems.length > before) return undefined;
  return {
    id: raw.id,
    description: raw.description ?? '',
    agentType,
    ...(environment ? { environment } : {}),
    ...(raw.version != null ? { version: raw.version } : {}),
    runMigrations: raw.run_migrations ?? false,
    ...(raw.migrations_path != null ? { migrationsPath: raw.migrations_path } : {}),
    ...(raw.to != null ? { rollbackTo: raw.to } : {}),
    ...(raw.migrations_down != null ? { migrationsDown: raw.migrations_down } : {}),
    completionPromise: raw.completion_promise ?? defaultPromise(agentType),
    maxIterations: raw.max_iterations ?? defaults.maxIterations(agentType),
    dependsOn,
    approvalReasons,
    ...(raw.command != null ? { command: raw.command } : {}),
    ...(raw.max_cost_usd != null ? { maxCostUsd: raw.max_cost_usd } : {}),
    ...(raw.max_tokens != null ? { maxTokens: raw.max_tokens } : {}),
    ...(raw.max_runtime != null ? { maxRuntimeSeconds: durationSeconds(raw.max_runtime) } : {}),
    ...(raw.timeout_seconds != null ? { timeoutSeconds: raw.timeout_seconds } : {}),
    ...(raw.checkpoint != null ? { checkpoint: raw.checkpoint } : {}),
    ...(raw.stuck_after != null ? { stuckAfter: raw.stuck_after } : {}),
    ...provisioning,
    ...(raw.verify != null ? { verify: raw.verify } : {}),
    ...(raw.runs_on != null ? { runsOn: [...new Set(raw.runs_on)] } : {}),
    index,
  };
}

// A provisioning task names its resource and environment and carries a whole business case.
function readProvisioning(raw: RawTask, at: string, problems: string[]): Pick<TaskSpec, 'resource' | 'businessCase' | 'safetyExceptions'> {
  if (raw.resource == null) problems.push(`${at}.resource: missing (what to provision, in words, e.g. "S3 bucket for karematch user uploads")`);
  if (raw.environment == null) problems.push(`${at}.environment: missing (a provisioning task names its environment: development, staging or production)`);
  const businessCase = readBusinessCase(raw.business_case, at, problems);
  const safetyExceptions = readSafetyExceptions(raw.safety_exceptions, at, problems);
  return {
    ...(raw.resource != null ? { resource: raw.resource } : {}),
    ...(businessCase ? { businessCase } : {}),
    safetyExceptions,
  };
}

/**
 * Each task's fields other than status, as JSON: what tells a person's edit of a task apart.
 * Read again from the queue's text, so that loading keeps none of it: it is asked for only when
 * the file changed on disk.
 */
export function taskFingerprints(queue: Pick<Queue, 'text' | 'tasksKey' | 'displayFile'>): Map<string, string> {
  const fingerprints = new Map<string, string>();
  const tasks = (parseJsonText(queue.text, queue.displayFile) as Record<string, unknown>)[queue.tasksKey];
  if (!Array.isArray(tasks)) return fingerprints;
  for (const task of tasks as Record<string, unknown>[]) {
    const { status: _status, ...rest } = task;
    if (typeof rest.id === 'string' && !fingerprints.has(rest.id)) fingerprints.set(rest.id, JSON.stringify(rest));
  }
  return fingerprints;
}

function pathPart(p: PropertyKey): string {
  return typeof p === 'number' ? `[${p}]` : `.${String(p)}`;
}

function issueText(issue: { path: PropertyKey[]; message: string }): string {
  return `${issue.path.length ? issue.path.map(pathPart).join('').replace(/^\./, '') : '(top)'}: ${issue.message}`;
}

function suggest(id: string, known: Map<string, number>): string {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(id.length / 4)) + 1;
  if (known.size > 5000) return '';
  for (const candidate of known.keys()) {
    const d = editDistance(id, candidate, bestDistance);
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  return best ? ` (did you mean '${best}'?)` : '';
}
