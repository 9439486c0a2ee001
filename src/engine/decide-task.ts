import { InputError } from '../errors.js';
import { evaluateGate } from '../gates/approval-gate.js';
import type { DecisionKind } from '../gates/record-decision.js';
import { recordDecision } from '../gates/record-decision.js';
import { readQueueFile } from '../queue/load-queue.js';
import { patchStatuses } from '../queue/patch-statuses.js';
import type { TaskStatus } from '../queue/schema.js';
import { StateStore } from '../state/state-store.js';
import { writeFileAtomic } from '../workspace/write-file-atomic.js';
import { targetArgs } from '../workspace/find-workspace.js';
import { loadWorkspaceQueue } from './load-workspace-queue.js';
import { successfulDeployments } from './record-sink.js';

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
}

/**
 * A person's decision given outside a run (`approve`, `reject`, `override`): recorded, and the
 * task's status changed to what the decision means, in the state store and in the queue file,
 * so the next run (or a run waiting with --wait) acts on it. A decision that would change nothing
 * is said so and not recorded.
 */
export function decideTask(root: string, project: string, taskId: string, decision: 'approve' | 'reject' | 'override', by: string, comment: string | undefined): DecideResult {
  const { ws, contract, queue } = loadWorkspaceQueue(root, project);
  const task = queue.tasks.find((t) => t.id === taskId);
  if (!task) throw new InputError(`${queue.displayFile}: no task '${taskId}' to ${decision} (tasks: ${queue.tasks.slice(0, 10).map((t) => t.id).join(', ')}${queue.tasks.length > 10 ? ', …' : ''})`);
  if ((decision === 'approve' || decision === 'override') && task.environment === 'production' && contract.approvers.length > 0 && !contract.approvers.includes(by)) {
    throw new InputError(`${contract.file}: approvers: '${by}' may not ${decision} production (may: ${contract.approvers.join(', ')})`);
  }
  const store = StateStore.open(ws.stateDb);
  try {
    const row = store.tasks(project).get(taskId);
    const inFile = (queue.fileStatus.get(taskId) ?? 'pending') as TaskStatus;
    const edited = row && row.file_status !== null && row.file_status !== inFile && inFile !== row.status;
    const before = (row && !edited ? row.status : inFile) as TaskStatus;
    const reason = row && !edited ? (row.reason ?? '') : '';
    const run = `'autonomous-loop ${targetArgs(ws.root, project)}'`;
    const result = (recorded: boolean, status: TaskStatus, effect: string): DecideResult => ({ decision, task_id: taskId, by, recorded, status_before: before, status, effect });
    if (before === 'complete') return result(false, before, `${taskId} is complete already: nothing to ${decision}, nothing recorded`);
    const need = evaluateGate(task, contract, (env) => successfulDeployments(store, project, env).length);
    const rejected = before === 'blocked' && reason.startsWith('rejected by');
    const agentBlocked = before === 'blocked' && !rejected;
    if (decision === 'override') {
      if (!agentBlocked) return result(false, before, `${taskId} is ${before}${reason ? ` (${reason})` : ''}, not blocked by a guardrail or its agent: nothing to override, nothing recorded`);
    } else if (agentBlocked) {
      return result(false, before, `${taskId} is blocked by its agent or a guardrail (${reason}), not by a gate: an approval does not lift that; use 'autonomous-loop override ${taskId} ${targetArgs(ws.root, project)} --by ${by} --reason "..."'; nothing recorded`);
    } else if (need.reasons.length === 0 && !rejected && before !== 'awaiting_approval') {
      return result(false, before, `${taskId} needs no approval (no gate applies to it): it runs without a person; nothing recorded`);
    }
    const blockedBy = decision === 'override' ? lastBlockingRules(store, project, taskId) : undefined;
    recordDecision(store, ws, {
      run_id: null,
      project,
      task_id: taskId,
      decision,
      by,
      reason: comment ?? null,
      environment: task.environment ?? null,
      version: task.version ?? null,
      fingerprint: decision === 'override' ? `override:${blockedBy ?? ''}` : need.fingerprint,
    });
    const status: TaskStatus = decision === 'reject' ? 'blocked' : 'pending';
    const why = decision === 'reject' ? `rejected by ${by}${comment ? `: ${comment}` : ''}` : null;
    setStatus(store, ws.root, project, queue, taskId, status, why, row);
    const effect =
      decision === 'approve'
        ? `${rejected ? 'the earlier rejection no longer holds; ' : ''}${taskId} is pending again and the next ${run} runs it`
        : decision === 'reject'
          ? `${taskId} is blocked; tasks that depend on it will be skipped (a later 'approve' undoes this)`
          : `${taskId} is pending again; on the next ${run} what blocked it (${blockedBy || 'the agent'}) counts as passed`;
    return result(true, status, effect);
  } finally {
    store.close();
  }
}

/** The rules that blocked the task last (kept with the veto the engine recorded). */
function lastBlockingRules(store: StateStore, project: string, taskId: string): string | undefined {
  const veto = store.taskDecisions(project, taskId).filter((d) => d.decision === 'veto').pop();
  return veto?.fingerprint?.replace(/^veto:/, '') ?? undefined;
}

function setStatus(
  store: StateStore,
  root: string,
  project: string,
  queue: ReturnType<typeof loadWorkspaceQueue>['queue'],
  taskId: string,
  status: TaskStatus,
  reason: string | null,
  row: ReturnType<StateStore['tasks']> extends Map<string, infer R> ? R | undefined : never,
): void {
  void root;
  store.saveTask(project, {
    task_id: taskId,
    status,
    file_status: status,
    iterations: row?.iterations ?? 0,
    base_iteration: status === 'pending' ? (row?.iterations ?? 0) : (row?.base_iteration ?? 0),
    last_error: row?.last_error ?? null,
    reason,
  });
  // The queue file says it too, patched in place like the engine does (re-read just before).
  const text = readQueueFile(queue.file);
  const patched = patchStatuses(text, queue.tasksKey, new Map([[taskId, status]]));
  if (patched !== text) writeFileAtomic(queue.file, patched);
}
