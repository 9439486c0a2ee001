import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { InputError, formatProblems } from '../../errors.js';
import { agentPolicy, DEFAULT_MAX_ITERATIONS, loadContract } from '../../gates/contract.js';
import { addTaskText } from '../../queue/add-task.js';
import { readBusinessCaseText } from '../../queue/business-case-text.js';
import { parseQueue, readQueueFile } from '../../queue/load-queue.js';
import { normalizeEnvironment } from '../../workspace/environment.js';
import { parseYamlText } from '../../workspace/parse-yaml-text.js';
import { displayPath, queueFilePath, resolveWorkspace } from '../../workspace/paths.js';
import { writeFileAtomic } from '../../workspace/write-file-atomic.js';
import { runCommandAction, type RunCommandOptions } from './run.js';

export interface ProvisionOptions extends RunCommandOptions {
  resource?: string;
  case: string;
  env: string;
  id?: string;
  run: boolean;
}

/**
 * `provision --project p --resource ... --case FILE`: the guide's one-off request. The case (the
 * guide's text, JSON or YAML) becomes a provisioning task at the end of the project's queue,
 * checked like every task (a missing part is exit 2, nothing written); then the run plans it and
 * asks a person, as for any queue task.
 */
export async function provisionCommand(opts: ProvisionOptions): Promise<void> {
  const ws = resolveWorkspace(opts.root);
  const environment = normalizeEnvironment(opts.env);
  if (!environment) throw new InputError(`--env: expected development, staging or production (or dev, stage, prod), got '${opts.env}'`);
  const read = readCase(opts.case);
  const resource = opts.resource ?? read.resource;
  if (!resource) throw new InputError(`--resource: missing (what to provision, in words; or a first line "Provision <resource>." in ${displayPath(opts.case)})`);
  const file = queueFilePath(ws, opts.project);
  const text = existsSync(file) ? readQueueFile(file) : `${JSON.stringify({ project: opts.project, features: [] }, null, 2)}\n`;
  const contract = loadContract(ws);
  const defaults = { defaultAgent: contract.default_agent, maxIterations: (t: string) => agentPolicy(contract, t).max_iterations ?? DEFAULT_MAX_ITERATIONS };
  const before = parseQueue(text, file, defaults);
  const id = opts.id ?? nextId(before.tasks.map((t) => t.id));
  const task = {
    id,
    description: `Provision ${resource} for ${opts.project}.`,
    status: 'pending',
    agent_type: 'provisioning',
    resource,
    environment,
    business_case: read.businessCase,
  };
  const next = addTaskText(text, before.tasksKey, task);
  if (next === null) throw new InputError(`${before.displayFile}: no task array to add the request to`);
  try {
    parseQueue(next, file, defaults);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    // The request's problems, named as the case file's: nothing is written.
    const at = `${before.tasksKey}[${before.tasks.length}].`;
    const problems = e.problems.filter((p) => p.startsWith(at)).map((p) => p.slice(at.length));
    if (problems.length === 0) throw e;
    throw new InputError(formatProblems(`${displayPath(opts.case)}: the request cannot be queued`, problems), problems);
  }
  writeFileAtomic(file, next);
  process.stdout.write(`${displayPath(file)}: added ${id} (provisioning ${resource} in ${environment})\n`);
  if (!opts.run) {
    process.stdout.write(`run it with: autonomous-loop --project ${opts.project}\n`);
    return;
  }
  await runCommandAction(opts);
}

function readCase(file: string): { businessCase: unknown; resource?: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(`${displayPath(file)}: cannot read the business case (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const ext = path.extname(file).toLowerCase();
  if (ext === '.json') {
    try {
      return { businessCase: JSON.parse(text) as unknown };
    } catch (e) {
      throw new InputError(`${displayPath(file)}: not JSON (${(e as Error).message})`);
    }
  }
  if (ext === '.yaml' || ext === '.yml') return { businessCase: parseYamlText(text, displayPath(file)) };
  return readBusinessCaseText(text);
}

function nextId(ids: string[]): string {
  const taken = new Set(ids);
  for (let n = 1; ; n++) {
    const id = `PROVISION-${String(n).padStart(3, '0')}`;
    if (!taken.has(id)) return id;
  }
}
