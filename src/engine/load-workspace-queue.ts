import { provisioningCommands } from '../agents/provision/provisioning-commands.js';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { InputError, formatProblems } from '../errors.js';
import { checkCascade } from '../gates/check-cascade.js';
import { openRecordStore } from '../records/open-record-store.js';
import { successfulDeployments } from '../records/deployment-record.js';
import { listQueueFiles } from '../workspace/find-workspace.js';
import { displayPath } from '../workspace/paths.js';
import { refuseLinkOutside } from '../workspace/link-target.js';
import { loadProjectConfig } from '../agents/project-config.js';
import { DEFAULT_MAX_ITERATIONS, agentPolicy, loadContract, type Contract } from '../gates/contract.js';
import { loadQueue, type Queue, type QueueDefaults } from '../queue/load-queue.js';
import { queueFilePath, resolveWorkspace, type Workspace } from '../workspace/paths.js';

/** The workspace, its contract and the project's validated queue; touches no file. */
export function loadWorkspaceQueue(root: string, project: string): { ws: Workspace; contract: Contract; queue: Queue; defaults: QueueDefaults } {
  const ws = resolveWorkspace(root);
  const contract = loadContract(ws);
  const defaults: QueueDefaults = {
    defaultAgent: contract.default_agent,
    maxIterations: (agentType) => agentPolicy(contract, agentType).max_iterations ?? DEFAULT_MAX_ITERATIONS,
  };
  const file = queueFilePath(ws, project);
  if (!existsSync(file)) throw new InputError(missingQueueMessage(ws, file));
  // A queue file that is a symlink is written through to its target: inside the workspace only.
  refuseLinkOutside(file, ws.root, 'queue file');
  const queue = loadQueue(file, defaults);
  return { ws, contract, queue, defaults };
}

const NEEDS_PROJECT_FILE = new Set(['deployment', 'migration', 'readiness', 'provisioning']);

/**
 * Checks governance/projects/<project>.yaml when a task needs it (deployments, migrations,
 * readiness), so that a bad project file is bad input before anything runs.
 */
export async function checkProjectFile(ws: Workspace, project: string, queue: Queue, contract?: Contract): Promise<void> {
  if (queue.tasks.some((t) => NEEDS_PROJECT_FILE.has(t.agentType))) {
    const config = loadProjectConfig(ws, project);
    // A provisioning task's commands and infrastructure repository: bad input before anything runs.
    for (const task of queue.tasks) if (task.agentType === 'provisioning' && queue.fileStatus.get(task.id) !== 'complete') provisioningCommands(config, task);
  }
  if (contract) {
    const problems = checkCascade(queue, contract, project, await stagedVersions(ws, project));
    if (problems.length > 0) throw new InputError(formatProblems(`${queue.displayFile}: the cascade dev → staging → production`, problems), problems);
  }
}

// Versions with a successful staging deployment on record (read only: no state.db is made here).
async function stagedVersions(ws: Workspace, project: string): Promise<Set<string>> {
  if (!existsSync(ws.stateDb)) return new Set();
  // Opened as every record reader opens it: a damaged or emptied state.db is refused, never made anew.
  const store = await openRecordStore(ws);
  try {
    return new Set((await successfulDeployments(store, project, 'staging')).map((d) => d.version));
  } finally {
    await store.close();
  }
}

// A queue that is not where the project's name puts it: say which queues there are, and how to run one.
function missingQueueMessage(ws: Workspace, file: string): string {
  const found = listQueueFiles(ws.root);
  const lines = [`${displayPath(file)}: no such queue file (workspace ${ws.root})`];
  if (found.length > 0) {
    lines.push('queues found:');
    for (const f of found.slice(0, 20)) {
      const project = /^work_queue_(.+)\.json$/.exec(path.basename(f))?.[1] ?? '?';
      const inTasks = path.dirname(f) === ws.tasksDir;
      lines.push(`  ${displayPath(f)}  ->  ${inTasks ? `--project ${project}` : `--queue ${displayPath(f)}`}`);
    }
  }
  lines.push(`create one with 'autonomous-loop init --project <name>', or run a queue kept elsewhere with '--queue FILE'`);
  return lines.join('\n');
}
