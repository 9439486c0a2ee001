import { decisionPayload } from '../engine/decision-payload.js';
import { describeGate } from '../engine/describe-gate.js';
import { gateBoxContent } from '../engine/gate-box-content.js';
import { loadWorkspaceQueue } from '../engine/load-workspace-queue.js';
import { refuseApprover } from '../gates/approval-gate.js';
import type { Contract } from '../gates/contract.js';
import { needsSignature } from '../gates/signed-approval.js';
import { SIGNED_DECISIONS } from '../engine/signed-decision.js';
import { InputError } from '../errors.js';
import type { TaskSpec } from '../queue/task-spec.js';
import type { Store } from '../state/store.js';
import { effectiveStatus } from './console-data.js';
import { withFileStatuses } from '../engine/file-marks.js';
import type { GateView } from './pages/gate-page.js';

export type ConsoleDecision = 'approve' | 'reject' | 'override';

/** The OS user a console decision is checked as: the person has none here; their `os_users` still count for prevent_self_approval. */
export const consoleOsUser = (person: string): string => `console:${person}`;

/**
 * Why `person` may not make this decision at the console, or undefined. The same rule as the CLI
 * (production and provisioning: the contract's approvers; prevent_self_approval), checked by the
 * server on every POST, whatever the page showed.
 */
export async function refuseDecision(contract: Contract, store: Store, project: string, task: TaskSpec, person: string, decision: ConsoleDecision): Promise<string | undefined> {
  if (decision === 'reject') return undefined;
  if (task.environment !== 'production' && task.agentType !== 'provisioning') return undefined;
  const starter = await store.lastRunStarter(project);
  return refuseApprover(contract, { by: person, osUser: consoleOsUser(person) }, starter ? { osUser: starter.os_user, by: null } : undefined);
}

/** Whether this decision must carry an approver's signature (the contract's verified_approvals). */
export function signatureNeeded(contract: Contract, task: TaskSpec, decision: ConsoleDecision): boolean {
  return SIGNED_DECISIONS.includes(decision) && needsSignature(contract, task.environment);
}

/**
 * What the page asks the person to sign: the exact payload (carried back in a hidden field) and
 * the shell command that signs it, or why there is nothing to sign yet (one line).
 */
async function signingFor(root: string, project: string, taskId: string, decision: ConsoleDecision, person: string): Promise<GateView['signing']> {
  try {
    const { payload, command } = await decisionPayload(root, project, taskId, decision, person);
    return { payload, command };
  } catch (e) {
    if (e instanceof InputError) return { unavailable: e.message };
    throw e;
  }
}

/** What the gate page shows: the engine's own gate description and box, and what this person may do. */
export async function readGate(root: string, store: Store, project: string, taskId: string, person: string): Promise<GateView | undefined> {
  const { contract, queue } = loadWorkspaceQueue(root, project);
  const task = queue.tasks.find((t) => t.id === taskId);
  if (!task) return undefined;
  const stored = await store.task(project, taskId);
  const row = stored ? (await withFileStatuses(store, project, queue.file, new Map([[taskId, stored]]))).get(taskId) : undefined;
  const status = effectiveStatus(row, queue.fileStatus.get(taskId) ?? 'pending');
  const rejected = (row?.reason ?? '').startsWith('rejected by');
  const agentBlocked = status === 'blocked' && !rejected;
  const gate = agentBlocked ? undefined : await describeGate(root, project, taskId);
  const decision: ConsoleDecision = agentBlocked ? 'override' : 'approve';
  const refused = await refuseDecision(contract, store, project, task, person, decision);
  return {
    project,
    taskId,
    status,
    box: gate ? gateBoxContent(gate) : undefined,
    refused,
    signing: !refused && (gate || agentBlocked) && signatureNeeded(contract, task, decision) ? await signingFor(root, project, taskId, decision, person) : undefined,
    agentBlocked,
  };
}
