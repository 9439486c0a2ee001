import { loadWorkspaceQueue } from '../../engine/load-workspace-queue.js';
import { InputError } from '../../errors.js';
import { evaluateGate } from '../../gates/approval-gate.js';
import { recordDecision } from '../../gates/record-decision.js';
import { StateStore } from '../../state/state-store.js';

export interface DecideOptions {
  project: string;
  root: string;
  by?: string;
  comment?: string;
}

/**
 * `approve` / `reject`: a person's decision on a gated task, recorded for what the task would run
 * now (environment, version, migrations). The next run proceeds, or blocks the task.
 */
export async function decideCommand(decision: 'approve' | 'reject', taskId: string, opts: DecideOptions): Promise<void> {
  const { ws, contract, queue } = loadWorkspaceQueue(opts.root, opts.project);
  const by = opts.by?.trim();
  if (!by) throw new InputError(`${decision}: --by <name> is required: who decides is recorded`);
  const task = queue.tasks.find((t) => t.id === taskId);
  if (!task) throw new InputError(`${queue.displayFile}: no task '${taskId}' to ${decision}`);
  if (decision === 'approve' && task.environment === 'production' && contract.approvers.length > 0 && !contract.approvers.includes(by)) {
    throw new InputError(`${contract.file}: approvers: '${by}' may not approve production (may: ${contract.approvers.join(', ')})`);
  }
  const store = StateStore.open(ws.stateDb);
  try {
    const need = evaluateGate(task, contract, () => 0);
    const record = recordDecision(store, ws, {
      run_id: null,
      project: opts.project,
      task_id: task.id,
      decision,
      by,
      reason: opts.comment ?? null,
      environment: task.environment ?? null,
      version: task.version ?? null,
      fingerprint: need.fingerprint,
    });
    process.stdout.write(
      `${decision === 'approve' ? 'approved' : 'rejected'} ${task.id}${task.environment ? ` (${task.environment}${task.version ? ` ${task.version}` : ''})` : ''} by ${by} (os user ${record.os_user}); ` +
        `the next 'autonomous-loop --project ${opts.project}' ${decision === 'approve' ? 'runs it' : 'marks it blocked'}\n`,
    );
  } finally {
    store.close();
  }
}
