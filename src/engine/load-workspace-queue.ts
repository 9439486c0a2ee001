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
