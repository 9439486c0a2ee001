import { createHash } from 'node:crypto';
import type { PendingPlan } from '../agents/provision/pending-plan.js';
import type { Contract } from '../gates/contract.js';
import type { TaskSpec } from '../queue/task-spec.js';
import { recordProvisioning } from '../records/provisioning-record.js';
import type { Store } from '../state/store.js';
import type { Workspace } from '../workspace/paths.js';

/** The plan a provisioning task's gate waits on (read, never made), or undefined for other tasks / no plan. */
export async function provisioningGate(ws: Workspace, project: string, task: TaskSpec, contract: Contract): Promise<PendingPlan | undefined> {
  if (task.agentType !== 'provisioning') return undefined;
  const { pendingPlan } = await import('../agents/provision/pending-plan.js');
  return pendingPlan(ws, project, task, contract);
}

/**
 * `reject TASK` of a provisioning task from another shell: the same `rejected` record a rejection
 * at the prompt writes (rejectionFields makes both), with the plan that was waiting. A plan that
 * cannot be read is said in the record's errors; the rejection stands either way.
 */
export async function recordPlanRejection(store: Store, ws: Workspace, project: string, task: TaskSpec, contract: Contract, by: string): Promise<void> {
  if (task.agentType !== 'provisioning') return;
  const { rejectionFields } = await import('../agents/provision/provisioning-fields.js');
  const now = new Date().toISOString();
  let parts: Parameters<typeof rejectionFields>[3] = {};
  let unread: string | undefined;
  try {
    const pending = await provisioningGate(ws, project, task, contract);
    if (pending) parts = { kept: pending.kept, review: pending.review };
    else unread = 'no plan was waiting (none kept, or the kept plan changed)';
  } catch (e) {
    unread = `the waiting plan could not be read: ${e instanceof Error ? e.message : String(e)}`;
  }
  const input = rejectionFields(task, by, now, parts, 'with `reject`');
  const id = `prov-${createHash('sha256').update(`${project}\0${task.id}\0reject\0${input.plan_sha256 ?? ''}\0${now}`).digest('hex').slice(0, 16)}`;
  await recordProvisioning(store, ws, { ...input, errors: [...input.errors, ...(unread ? [unread] : [])], id, project });
}
