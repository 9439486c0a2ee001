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
  const queue = loadQueue(queueFilePath(ws, project), defaults);
  return { ws, contract, queue, defaults };
}

const NEEDS_PROJECT_FILE = new Set(['deployment', 'migration', 'readiness']);

/**
 * Checks governance/projects/<project>.yaml when a task needs it (deployments, migrations,
 * readiness), so that a bad project file is bad input before anything runs.
 */
export function checkProjectFile(ws: Workspace, project: string, queue: Queue): void {
  if (queue.tasks.some((t) => NEEDS_PROJECT_FILE.has(t.agentType))) loadProjectConfig(ws, project);
}
