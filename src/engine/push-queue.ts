import type { TaskStatus } from '../queue/schema.js';
import { openRecordStore } from '../records/open-record-store.js';
import { targetArgs } from '../workspace/find-workspace.js';
import type { TaskState } from './engine-context.js';
import { rememberFileStatuses, withFileStatuses } from './file-marks.js';
import { loadWorkspaceQueue } from './load-workspace-queue.js';
import { queueConflicts, type QueueConflict } from './queue-conflicts.js';
import { mergeQueueFile } from './queue-merge.js';
import { takePersonStatus } from './reconcile-tasks.js';

export interface PushReport {
  project: string;
  file: string;
  revision: number;
  /** Tasks whose definition this file added to or changed in the store. */
  pushed: string[];
  /** Statuses a person set in this machine's file, taken. */
  status_edits: { task_id: string; from: string; to: TaskStatus }[];
  /** Edits of this file not taken: definitions another machine changed meanwhile, statuses of tasks running now. */
  not_taken: { task_id: string; why: string }[];
  /** Pushes of other machines that came between this one's read and swap (merged again each time). */
  retries: number;
  conflicts: QueueConflict[];
}

/**
 * `autonomous-loop push --project p`: a person's edit of this machine's queue file merged into the
 * store where no runner runs here (a runner does the same by itself), compare-and-swap on the
 * queue's revision, with the run's rules: a person's status edit wins (not over a task running
 * now), a changed definition reaches the next iteration, added tasks join. A definition another
 * machine changed meanwhile is not overwritten: it is named as a conflict.
 */
export async function pushQueueFile(root: string, project: string): Promise<PushReport> {
  const { ws, queue } = loadWorkspaceQueue(root, project);
  const store = await openRecordStore(ws);
  try {
    const merge = await mergeQueueFile(store, project, queue);
    const statusEdits: PushReport['status_edits'] = [];
    // Statuses not taken: of a task running now (left unrecorded), or set on one changed since (recorded as it is now).
    const runningNow = new Set<string>();
    const seenNow = new Map<string, string>();
    const notTaken: PushReport['not_taken'] = merge.notTaken.map((id) => ({ task_id: id, why: 'its definition was changed on another machine since this file last agreed with the store' }));
    await store.transaction(async (tx) => {
      const rows = await withFileStatuses(tx, project, queue.file, await tx.tasks(project));
      for (const spec of queue.tasks) {
        const inFile = queue.fileStatus.get(spec.id) ?? 'pending';
        const row = rows.get(spec.id);
        if (!row) {
          await tx.saveTask(project, { task_id: spec.id, status: inFile === 'in_progress' ? 'pending' : inFile, file_status: inFile, iterations: 0, base_iteration: 0, last_error: null, reason: null });
          continue;
        }
        const edited = row.file_status !== null && row.file_status !== inFile && inFile !== row.status;
        if (!edited) continue;
        if (row.status === 'in_progress') {
          notTaken.push({ task_id: spec.id, why: `its status '${inFile}': the task is running now (a runner writes its status when the iteration ends)` });
          runningNow.add(spec.id);
          continue;
        }
        if (row.file_status !== row.status) {
          // Set on what this file last said, which has moved on since (another machine finished the task, say).
          // It is said, and this file's record moves to the status now: pushed again, it is taken as meant.
          notTaken.push({ task_id: spec.id, why: `its status '${inFile}' was set on '${row.file_status}', which has changed since ('${row.status}' now): look at the task; push again to set it anyway` });
          seenNow.set(spec.id, row.status);
          continue;
        }
        const state: TaskState = { spec, status: row.status as TaskStatus, iterations: row.iterations, baseIteration: row.base_iteration, lastError: row.last_error, reason: row.reason };
        takePersonStatus(state, inFile);
        await tx.saveTask(project, { task_id: spec.id, status: state.status, file_status: inFile, iterations: state.iterations, base_iteration: state.baseIteration, last_error: state.lastError, reason: state.reason });
        await tx.addEvent(project, null, spec.id, 'task:edited', { status: inFile, was: row.status, by: 'push' });
        statusEdits.push({ task_id: spec.id, from: row.status, to: state.status });
      }
    });
    // What this machine read in its own file is its record from now on; a status not taken (its task
    // runs now) is left unrecorded, so the next push or runner here sees it as a person's edit again.
    const read = queue.tasks.filter((t) => !runningNow.has(t.id)).map((t) => [t.id, seenNow.get(t.id) ?? queue.fileStatus.get(t.id) ?? 'pending'] as const);
    await rememberFileStatuses(store, project, queue.file, new Map(read));
    // Runners of the project (any machine) take a status set here at once.
    for (const e of statusEdits) await store.signal({ project, kind: 'decision', task_id: e.task_id });
    const conflicts = await queueConflicts(store, project, `autonomous-loop push ${targetArgs(ws.root, project)}`);
    return { project, file: queue.displayFile, revision: merge.revision, pushed: merge.pushed, status_edits: statusEdits, not_taken: notTaken, retries: merge.retries, conflicts };
  } finally {
    await store.close();
  }
}
