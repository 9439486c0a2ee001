import { InputError } from '../errors.js';
import { buildSignedPayload, needsSignature, signingCommand } from '../gates/signed-approval.js';
import { openRecordStore } from '../records/open-record-store.js';
import { targetArgs } from '../workspace/find-workspace.js';
import { loadWorkspaceQueue } from './load-workspace-queue.js';
import { SIGNED_DECISIONS } from './signed-decision.js';

export interface DecisionPayload {
  /** The exact text to sign; give it back unchanged with the signature (`decideTask(…, {signature: {given}})`). */
  payload: string;
  /** A shell command that signs it with a key file and prints the armored signature. */
  command: string;
  /** Whether the environment needs the signature (the contract's verified_approvals). */
  required: boolean;
}

/**
 * What `by` signs to decide a task from elsewhere (the console): the same fields `approve --sign`
 * signs — the decision, the task, project, environment, version, and the fingerprint of the
 * subject its gate stored (an override: the rules it lets through; a rollback request: its
 * target) — with a fresh nonce and the time. Refused, as `approve` is, when nothing has reached
 * the gate of a task with an environment.
 */
export async function decisionPayload(root: string, project: string, taskId: string, decision: 'approve' | 'reject' | 'override', by: string): Promise<DecisionPayload> {
  const { ws, contract, queue } = loadWorkspaceQueue(root, project);
  const rollback = /^ROLLBACK-(development|staging|production)-(.+)$/.exec(taskId);
  const task = queue.tasks.find((t) => t.id === taskId);
  let fields: { environment: string | null; version: string | null; fingerprint: string };
  if (!task && rollback) {
    fields = { environment: rollback[1] ?? null, version: rollback[2] ?? null, fingerprint: `rollback:${rollback[1]}:${rollback[2]}` };
  } else if (!task) {
    throw new InputError(`${queue.displayFile}: no task '${taskId}' to ${decision}`);
  } else {
    const store = await openRecordStore(ws);
    try {
      let fingerprint: string | undefined;
      if (decision === 'override') {
        const veto = (await store.taskDecisions(project, taskId)).filter((d) => d.decision === 'veto').pop();
        fingerprint = `override:${veto?.fingerprint?.replace(/^veto:/, '') ?? ''}`;
      } else fingerprint = (await store.gateSubject(project, taskId))?.fingerprint;
      if (fingerprint === undefined) {
        throw new InputError(`${taskId}: nothing has reached its gate yet, so there is no approval subject to sign: run it first ('autonomous-loop ${targetArgs(ws.root, project)}' stops at the gate)`);
      }
      fields = { environment: task.environment ?? null, version: task.version ?? null, fingerprint };
    } finally {
      await store.close();
    }
  }
  const payload = buildSignedPayload({ decision, by, project, task: taskId, ...fields });
  return { payload, command: signingCommand(payload), required: SIGNED_DECISIONS.includes(decision) && needsSignature(contract, fields.environment) };
}
