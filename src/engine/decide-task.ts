import { InputError } from '../errors.js';
import { runningLoop } from '../state/running-loop.js';
import { storeMayExist } from '../state/open-store.js';
import { REMOVED } from './queue-merge.js';
import { redactSecrets } from '../log/redact-secrets.js';
import { evaluateGate, gateFingerprint, refuseApprover, type ApprovalSubject } from '../gates/approval-gate.js';
import { FingerprintError } from '../agents/deploy/fingerprint-folder.js';
import type { TaskSpec } from '../queue/task-spec.js';
import { osUser, recordDecision, type DecisionKind } from '../records/decision-record.js';
import { openRecordStore } from '../records/open-record-store.js';
import { readQueueFile, readQueueFileQuietly } from '../queue/load-queue.js';
import { patchStatuses } from '../queue/patch-statuses.js';
import type { TaskStatus } from '../queue/schema.js';
import type { Store, TaskRow } from '../state/store.js';
import { writeFileAtomic } from '../workspace/write-file-atomic.js';
import { faultPause } from '../workspace/fault-point.js';
import { targetArgs } from '../workspace/find-workspace.js';
import { loadWorkspaceQueue } from './load-workspace-queue.js';
import { rememberFileStatuses, withFileStatuses } from './file-marks.js';
import type { Contract } from '../gates/contract.js';
import type { Environment } from '../workspace/environment.js';
import type { Workspace } from '../workspace/paths.js';
import { describeApprovalSubject } from './approval-subject.js';
import { provisioningGate, recordPlanRejection } from './provisioning-gate.js';
import { deploymentCount } from '../records/deployment-record.js';
import { listApprovers } from '../gates/approvers.js';
import { howToSign } from '../gates/signed-approval.js';
import { signDecision, writeAllowedSigners, type SignatureSource } from './signed-decision.js';

export interface DecideResult {
  decision: DecisionKind;
  task_id: string;
  by: string;
  recorded: boolean;
  /** The task's status before and after the decision. */
  status_before: TaskStatus;
  status: TaskStatus;
  /** What will happen, in the words the person reads. */
  effect: string;
  /** The fingerprint of the subject decided on (approve, reject), else null. */
  fingerprint: string | null;
  /** A provisioning task: each change of the plan decided on (`create aws_s3_bucket.x`). */
  plan_summary?: string[];
  /** A signed decision: the SHA256 fingerprint of the key that signed it. */
  signed_with?: string;
}

/**
 * The subject the task's gate stored when it last opened. Without one, a production approval is
 * refused (nothing has reached the gate: there is nothing to sign off); other decisions take what
 * the task would run now.
 */
async function gateSubject(ws: Workspace, project: string, task: TaskSpec, contract: Contract, store: Store, mustBeStored: boolean): Promise<{ fingerprint: string; subject: ApprovalSubject }> {
  const stored = await store.gateSubject(project, task.id);
  if (stored) return { fingerprint: stored.fingerprint, subject: JSON.parse(stored.subject) as ApprovalSubject };
  if (mustBeStored) {
    throw new InputError(
      `${task.id}: nothing has reached its gate yet, so there is no approval subject to sign off: run it first ('autonomous-loop ${targetArgs(ws.root, project)}' stops at the gate), then approve what the gate shows`,
    );
  }
  try {
    const subject = await describeApprovalSubject(ws, project, task, contract, store);
    return { fingerprint: gateFingerprint(task, subject), subject };
  } catch (e) {
    if (e instanceof FingerprintError) throw new InputError(`${task.id}: what it would run cannot be fingerprinted for an approval: ${e.message}`);
    throw e;
  }
}

/**
 * A person's decision given outside a run (`approve`, `reject`, `override`): recorded, and the
 * task's status changed to what the decision means, in the state store and in the queue file,
 * so the next run (or a run waiting with --wait) acts on it. A decision that would change nothing
 * is said so and not recorded.
 */
export async function decideTask(
  root: string,
  project: string,
  taskId: string,
  decision: 'approve' | 'reject' | 'override',
  by: string,
  comment: string | undefined,
  /** actor: who acts, as prevent_self_approval checks it (default: the OS user here; the console passes its person's). signature: a verified approval's signature (made here with --sign, or given by the console). */
  options: { actor?: { osUser: string }; signature?: SignatureSource } = {},
): Promise<DecideResult> {
  const actor = options.actor ?? { osUser: osUser() };
  const { ws, contract, queue } = loadWorkspaceQueue(root, project);
  if (listApprovers(contract).some((a) => a.sshKey !== null)) writeAllowedSigners(ws, contract);
  const task = queue.tasks.find((t) => t.id === taskId);
  const rollback = /^ROLLBACK-(development|staging|production)-(.+)$/.exec(taskId);
  if (!task && rollback && decision !== 'override') return decideRollback(ws, contract, project, taskId, rollback[1] as Environment, rollback[2] ?? '', decision, { by, osUser: actor.osUser }, comment, options.signature);
  if (!task) throw new InputError(`${queue.displayFile}: no task '${taskId}' to ${decision} (tasks: ${queue.tasks.slice(0, 10).map((t) => t.id).join(', ')}${queue.tasks.length > 10 ? ', …' : ''})${await addedElsewhere(ws, project, taskId)}`);
  const store = await openRecordStore(ws);
  try {
    if ((decision === 'approve' || decision === 'override') && (task.environment === 'production' || task.agentType === 'provisioning')) {
      // Only the contract's approvers decide production, and (prevent_self_approval) not the one who started the run.
      const starter = await store.lastRunStarter(project);
      const refused = refuseApprover(contract, { by, osUser: actor.osUser }, starter ? { osUser: starter.os_user, by: null } : undefined);
      if (refused) throw new InputError(`${contract.file}: ${refused.replace('may not approve', `may not ${decision}`)}`);
    }
    // The status THIS machine last wrote into its own file: a difference is a person's edit here.
    const row = (await withFileStatuses(store, project, queue.file, await store.tasks(project))).get(taskId);
    const inFile = (queue.fileStatus.get(taskId) ?? 'pending') as TaskStatus;
    const edited = row && row.file_status !== null && row.file_status !== inFile && inFile !== row.status;
    const before = (row && !edited ? row.status : inFile) as TaskStatus;
    const reason = row && !edited ? (row.reason ?? '') : '';
    const run = `'autonomous-loop ${targetArgs(ws.root, project)}'`;
    let fingerprint: string | null = null;
    let planSummary: string[] | undefined;
    let signedWith: string | undefined;
    const result = (recorded: boolean, status: TaskStatus, effect: string): DecideResult => ({
      decision,
      task_id: taskId,
      by,
      recorded,
      status_before: before,
      status,
      effect,
      fingerprint,
      ...(planSummary ? { plan_summary: planSummary } : {}),
      ...(signedWith ? { signed_with: signedWith } : {}),
    });
    if (before === 'complete') return result(false, before, `${taskId} is complete already: nothing to ${decision}, nothing recorded`);
    const light = await describeApprovalSubject(ws, project, task, contract, store, 'light');
    const deployed = await deploymentCount(store, project, task.environment);
    const need = evaluateGate(task, contract, () => deployed, light);
    if (decision === 'approve' && task.agentType === 'provisioning' && !light.provisioning) {
      // Nothing to bind the approval to: the plan is made when the task reaches its gate.
      throw new InputError(`${taskId}: no plan waiting for approval: run it first ('autonomous-loop ${targetArgs(ws.root, project)}'); the plan is made and shown at its gate, and the approval is bound to that plan file`);
    }
    // A person's rejection stands until a later approval, whatever the task's status or reason
    // says now (a waiting run, a veto or a queue edit may have rewritten the reason).
    const rejected = (before === 'blocked' && reason.startsWith('rejected by')) || (await lastGateDecision(store, project, taskId)) === 'reject';
    const agentBlocked = before === 'blocked' && !rejected;
    if (decision === 'override') {
      if (!agentBlocked) return result(false, before, `${taskId} is ${before}${reason ? ` (${reason})` : ''}, not blocked by a guardrail or its agent: nothing to override, nothing recorded`);
    } else if (agentBlocked) {
      return result(false, before, `${taskId} is blocked by its agent or a guardrail (${reason}), not by a gate: an approval does not lift that; use 'autonomous-loop override ${taskId} ${targetArgs(ws.root, project)} --by ${by} --reason "..."'; nothing recorded`);
    } else if (need.reasons.length === 0 && !rejected && before !== 'awaiting_approval') {
      return result(false, before, `${taskId} needs no approval (no gate applies to it): it runs without a person; nothing recorded`);
    }
    const blockedBy = decision === 'override' ? await lastBlockingRules(store, project, taskId) : undefined;
    // A decision is for what the task's gate showed (stored when it opened), never for what is there now.
    const shown = decision === 'override' ? undefined : await gateSubject(ws, project, task, contract, store, need.production && decision === 'approve');
    const decided = { decision, by, project, task: taskId, environment: task.environment ?? null, version: task.version ?? null, fingerprint: shown ? shown.fingerprint : `override:${blockedBy ?? ''}` };
    // verified_approvals: signed by the approver's key, over this very decision (refused otherwise, saying how to sign)
    const signature = await signDecision(contract, store, decided, options.signature, howToSign(taskId, targetArgs(ws.root, project), by));
    await recordDecision(store, ws, {
      run_id: null,
      project,
      task_id: taskId,
      os_user: actor.osUser,
      decision,
      by,
      reason: comment ?? null,
      environment: task.environment ?? null,
      version: task.version ?? null,
      fingerprint: decided.fingerprint,
      ...(shown ? { subject: shown.subject } : {}),
      ...(signature ? { signature } : {}),
    });
    fingerprint = shown?.fingerprint ?? null;
    signedWith = signature?.key;
    if (decision === 'reject') await recordPlanRejection(store, ws, project, task, contract, by);
    if (task.agentType === 'provisioning' && decision !== 'override') planSummary = (await provisioningGate(ws, project, task, contract).catch(() => undefined))?.summary;
    const status: TaskStatus = decision === 'reject' ? 'blocked' : 'pending';
    // The reason quotes the comment: stored without secrets, as the decision record is.
    const why = decision === 'reject' ? redactSecrets(`rejected by ${by}${comment ? `: ${comment}` : ''}`) : null;
    await setStatus(store, project, queue, taskId, status, why, row);
    // Runners of the project, here or on another machine with the same database, take it at once.
    await store.signal({ project, kind: 'decision', task_id: taskId });
    // A loop running now takes the decision at once: an open question for this task closes.
    const live = await runningLoop(store, project);
    const now = live && decision !== 'override' ? `the run going on now (pid ${live.pid} on ${live.host}) takes it: its question for ${taskId}, if open, closes` : undefined;
    const effect = now
      ? `${rejected && decision === 'approve' ? 'the earlier rejection no longer holds; ' : ''}${now}${decision === 'reject' ? '; tasks that depend on it will be skipped' : ''}`
      : decision === 'approve'
        ? `${rejected ? 'the earlier rejection no longer holds; ' : ''}${taskId} is pending again and the next ${run} runs it`
        : decision === 'reject'
          ? `${taskId} is blocked; tasks that depend on it will be skipped (a later 'approve' undoes this)`
          : `${taskId} is pending again; on the next ${run} what blocked it (${blockedBy || 'the agent'}) counts as passed`;
    return result(true, status, effect);
  } finally {
    await store.close();
  }
}

/**
 * A rollback requested without a terminal (`rollback --env e --to v` said so): approved or
 * rejected like a deployment of that environment; the next `rollback` with the same target runs it.
 */
async function decideRollback(
  ws: Workspace,
  contract: Contract,
  project: string,
  id: string,
  environment: Environment,
  version: string,
  decision: 'approve' | 'reject',
  /** who decides, and the OS user prevent_self_approval checks (the console's person, not the server's user) */
  actor: { by: string; osUser: string },
  comment: string | undefined,
  source: SignatureSource | undefined,
): Promise<DecideResult> {
  const by = actor.by;
  const store = await openRecordStore(ws);
  try {
    if (decision === 'approve' && environment === 'production') {
      const refused = refuseApprover(contract, { by, osUser: actor.osUser });
      if (refused) throw new InputError(`${contract.file}: ${refused.replace('may not approve production', 'may not roll back production')}`);
    }
    const fingerprint = `rollback:${environment}:${version}`;
    const signature = await signDecision(contract, store, { decision, by, project, task: id, environment, version, fingerprint }, source, howToSign(id, targetArgs(ws.root, project), by));
    await recordDecision(store, ws, { run_id: null, project, task_id: id, decision, by, os_user: actor.osUser, reason: comment ?? null, environment, version, fingerprint, ...(signature ? { signature } : {}) });
    const again = `'autonomous-loop rollback ${targetArgs(ws.root, project)} --env ${environment} --to ${version}'`;
    return {
      decision,
      task_id: id,
      by,
      fingerprint: null,
      recorded: true,
      status_before: 'awaiting_approval',
      status: decision === 'approve' ? 'pending' : 'blocked',
      ...(signature ? { signed_with: signature.key } : {}),
      effect: decision === 'approve' ? `the rollback of ${environment} to ${version} may run: ${again} runs it (once)` : `the rollback of ${environment} to ${version} is refused; ${again} asks again`,
    };
  } finally {
    await store.close();
  }
}

/** The latest approve or reject of the task, if any. */
async function lastGateDecision(store: Store, project: string, taskId: string): Promise<string | undefined> {
  return (await store.taskDecisions(project, taskId))
    .filter((d) => d.decision === 'approve' || d.decision === 'reject')
    .pop()?.decision;
}

/** The rules that blocked the task last (kept with the veto the engine recorded). */
async function lastBlockingRules(store: Store, project: string, taskId: string): Promise<string | undefined> {
  const veto = (await store.taskDecisions(project, taskId)).filter((d) => d.decision === 'veto').pop();
  return veto?.fingerprint?.replace(/^veto:/, '') ?? undefined;
}

async function setStatus(
  store: Store,
  project: string,
  queue: ReturnType<typeof loadWorkspaceQueue>['queue'],
  taskId: string,
  status: TaskStatus,
  reason: string | null,
  row: TaskRow | undefined,
): Promise<void> {
  await store.saveTask(project, {
    task_id: taskId,
    status,
    file_status: status,
    iterations: row?.iterations ?? 0,
    base_iteration: status === 'pending' ? (row?.iterations ?? 0) : (row?.base_iteration ?? 0),
    last_error: row?.last_error ?? null,
    reason,
  });
  // (The crash and race tests hold `approve` here: the status stored, neither the file nor a signal yet.)
  await faultPause('decision:status-stored');
  // The queue file says it too, patched in place like the engine does. Compare-and-swap on what was
  // read: a run writing its statuses meanwhile is read again, never undone by this older copy.
  // (A file that never held still for 20 tries keeps its status, and this machine's record of it:
  // the store has the decision, and the run writes it back.)
  for (let tries = 0; tries < 20; tries++) {
    const text = readQueueFile(queue.file);
    const patched = patchStatuses(text, queue.tasksKey, new Map([[taskId, status]]));
    await faultPause('decide:file-read');
    if (patched === text || writeFileAtomic(queue.file, patched, () => readQueueFileQuietly(queue.file) === text)) {
      await rememberFileStatuses(store, project, queue.file, new Map([[taskId, status]]));
      return;
    }
  }
}

// A task another machine added (in the database's queue, not in this file): its gate was shown, and
// is decided, where a file has it — what the approval binds to is that checkout's.
async function addedElsewhere(ws: Workspace, project: string, taskId: string): Promise<string> {
  if (!storeMayExist(ws.stateDb)) return '';
  const store = await openRecordStore(ws);
  try {
    if (!store.sharedByRunners) return '';
    const stored = await store.storedQueue(project);
    return stored.tasks.some((t) => t.task_id === taskId && t.definition !== REMOVED)
      ? `; ${taskId} was added on another machine and is not in this machine's file: decide it on a machine whose file has it (or bring this file up to date first, e.g. git pull)`
      : '';
  } finally {
    await store.close();
  }
}
