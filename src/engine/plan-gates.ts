import { evaluateGate, type ApprovalSubject } from '../gates/approval-gate.js';
import type { Contract } from '../gates/contract.js';
import type { Environment } from '../workspace/environment.js';
import { openRecordStore } from '../records/open-record-store.js';
import { storeMayExist } from '../state/open-store.js';
import { successfulDeployments } from '../records/deployment-record.js';
import type { TaskSpec } from '../queue/task-spec.js';
import type { Workspace } from '../workspace/paths.js';

const ENVIRONMENTS: Environment[] = ['development', 'staging', 'production'];

/**
 * The gates each task will meet, by the same rules the run applies (evaluateGate): production,
 * an environment's first deployment (the records, then the tasks ahead of it in the plan's order),
 * requires_approval, provisioning, rollback. Reads the records only; makes no state.db (a database URL: its store is read).
 */
export async function planGates(ws: Workspace, project: string, contract: Contract, tasks: readonly TaskSpec[], order: readonly string[]): Promise<Map<string, string[]>> {
  const deployed = new Map<Environment, number>(ENVIRONMENTS.map((e) => [e, 0]));
  if (storeMayExist(ws.stateDb)) {
    const store = await openRecordStore(ws);
    try {
      for (const env of ENVIRONMENTS) deployed.set(env, (await successfulDeployments(store, project, env)).length);
    } finally {
      await store.close();
    }
  }
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const gates = new Map<string, string[]>();
  for (const id of order) {
    const task = byId.get(id);
    if (!task) continue;
    const subject: ApprovalSubject = { agent: task.agentType, environment: task.environment ?? null, version: task.version ?? null, command: task.command ?? null, project_commands: null, migrations: null, commit: null };
    const need = evaluateGate(task, contract, (env) => deployed.get(env) ?? 0, subject);
    if (need.reasons.length > 0) gates.set(id, need.reasons);
    // A deployment ahead in the plan makes the next one to that environment not its first.
    if (task.agentType === 'deployment' && task.environment) deployed.set(task.environment, (deployed.get(task.environment) ?? 0) + 1);
  }
  return gates;
}
