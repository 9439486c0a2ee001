import { describeApprovalSubject } from '../../engine/approval-subject.js';
import { loadWorkspaceQueue } from '../../engine/load-workspace-queue.js';
import { InputError } from '../../errors.js';
import { evaluateGate, refuseApprover } from '../../gates/approval-gate.js';
import { osUser, recordDecision } from '../../gates/record-decision.js';
import { openRecordStore } from '../../records/open-record-store.js';
import { recordsBehind } from '../../records/records-behind.js';

export interface DecideOptions {
  project: string;
  root: string;
  by?: string;
  comment?: string;
}

/**
 * `approve` / `reject`: a person's decision on a gated task, recorded for what the task would run
 * now (agent, environment, version, command, project commands, migrations, commit). The next run
 * proceeds, or blocks the task.
 */
export async function decideCommand(decision: 'approve' | 'reject', taskId: string, opts: DecideOptions): Promise<void> {
  const { ws, contract, queue } = loadWorkspaceQueue(opts.root, opts.project);
  const by = opts.by?.trim();
  if (!by) throw new InputError(`${decision}: --by <name> is required: who decides is recorded`);
  const task = queue.tasks.find((t) => t.id === taskId);
  if (!task) throw new InputError(`${queue.displayFile}: no task '${taskId}' to ${decision}`);
  const store = openRecordStore(ws);
  try {
    if (decision === 'approve' && task.environment === 'production') {
      const starter = store.lastRunStarter(opts.project);
      const refused = refuseApprover(contract, { by, osUser: osUser() }, starter ? { osUser: starter.os_user, by: null } : undefined);
      if (refused) throw new InputError(`${contract.file}: ${refused}`);
    }
    const subject = await describeApprovalSubject(ws, opts.project, task, contract, store);
    const need = evaluateGate(task, contract, () => 0, subject);
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
      subject,
    });
    process.stdout.write(
      `${decision === 'approve' ? 'approved' : 'rejected'} ${task.id}${task.environment ? ` (${task.environment}${task.version ? ` ${task.version}` : ''})` : ''} by ${by} (os user ${record.os_user}); ` +
        `the next 'autonomous-loop --project ${opts.project}' ${decision === 'approve' ? 'runs it' : 'marks it blocked'}\n`,
    );
    const behind = recordsBehind();
    if (behind) process.stderr.write(`autonomous-loop: warning: ${behind}\n`);
  } finally {
    store.close();
  }
}
