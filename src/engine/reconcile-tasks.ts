import type { TaskSpec } from '../queue/task-spec.js';
import { FINAL_STATUSES, type TaskStatus } from '../queue/schema.js';
import type { Store, TaskRow } from '../state/store.js';
import type { EngineContext, TaskState } from './engine-context.js';
import type { QueueEdits } from './queue-sync.js';
import { tasksHeldElsewhere } from './runner-leftovers.js';
import { queueFileId, withFileStatuses } from './file-marks.js';

/**
 * Builds the run's task states from the state store and the queue file. The store is the
 * engine's memory; the file is where people speak: a status that differs from the one the engine
 * last wrote there is a person's edit, and it wins. Returns whether this resumes earlier work.
 */
export async function reconcileTasks(ctx: EngineContext): Promise<boolean> {
  const { store, project, sync } = ctx;
  // Several runners: an iteration another live runner is running is not cut off.
  const heldElsewhere = await tasksHeldElsewhere(ctx);
  let resumed = false;
  await store.transaction(async (tx) => {
    // Read inside the transaction: another runner's write cannot fall between the read and the save.
    // file_status as THIS machine last wrote or read its own file (several machines, one store).
    const rows = await withFileStatuses(tx, project, sync.queue.file, await tx.tasks(project), sync.queue.fileStatus);
    resumed = rows.size > 0;
    const interrupted = (await tx.runningIterations(project)).filter((it) => !heldElsewhere.has(it.task_id));
    for (const it of interrupted) {
      await tx.endIteration(it.id, { state: 'interrupted', verdict: null, promiseMet: false, error: 'cut off (the loop stopped)', outputTail: it.output_tail });
      await tx.addEvent(project, ctx.runId, it.task_id, 'iteration:interrupted', { n: it.n });
    }
    for (const spec of sync.queue.tasks) {
      const fileStatus = sync.queue.fileStatus.get(spec.id) ?? 'pending';
      const state = await stateFor(ctx, tx, spec, rows.get(spec.id), fileStatus);
      const cut = interrupted.filter((it) => it.task_id === spec.id).map((it) => it.n);
      // The iteration that was cut off runs again under its own number (its finished steps are kept).
      if (cut.length > 0) state.iterations = Math.min(state.iterations, Math.min(...cut) - 1);
      ctx.tasks.set(spec.id, state);
      await persist(ctx, tx, state, fileStatus);
    }
    // Only what differs from this machine's record is written (thousands of tasks, every start).
    await rememberRead(ctx, tx, sync.queue.tasks.filter((t) => rows.get(t.id)?.file_status !== sync.queue.fileStatus.get(t.id)).map((t) => t.id), sync.queue.fileStatus);
  });
  return resumed;
}

/** Takes a person's edits made while the run goes on: new tasks, changed tasks, statuses set by hand. */
export async function applyEdits(ctx: EngineContext, edits: QueueEdits): Promise<void> {
  const { store, project } = ctx;
  const reset: string[] = [];
  await store.transaction(async (tx) => {
    const read: string[] = [];
    for (const spec of edits.queue.tasks) {
      const fileStatus = edits.queue.fileStatus.get(spec.id) ?? 'pending';
      const state = ctx.tasks.get(spec.id);
      if (!state) {
        const stored = await tx.task(project, spec.id);
        const row = stored ? (await withFileStatuses(tx, project, ctx.sync.queue.file, new Map([[spec.id, stored]]), edits.queue.fileStatus)).get(spec.id) : undefined;
        const fresh = await stateFor(ctx, tx, spec, row, fileStatus);
        ctx.tasks.set(spec.id, fresh);
        await persist(ctx, tx, fresh, fileStatus);
        if (edits.queue.fileStatus.has(spec.id)) read.push(spec.id);
        continue;
      }
      if (state.status !== 'in_progress') state.spec = spec;
      else state.spec = takeRunningEdit(state.spec, spec);
      const edited = edits.statusEdits.get(spec.id);
      if (edited !== undefined && state.status !== 'in_progress') {
        const moved = await movedSince(tx, project, spec.id, edits.statusBefore.get(spec.id), edited);
        if (moved !== undefined) {
          // Made on a status that has changed since (another runner finished the task, say, or
          // `approve` on this machine wrote the file after it ran elsewhere): not taken, and the
          // file gets the status as it is now.
          state.status = moved as TaskStatus;
          ctx.sync.setStatus(spec.id, state.status);
          const message = `${spec.id}: the queue file's status edit (${edits.statusBefore.get(spec.id)} → ${edited}) was made on a status that has changed since (${moved} now): not taken`;
          ctx.emitter.emit('warning', { message });
          ctx.log.warn({ task: spec.id, from: edits.statusBefore.get(spec.id), to: edited, now: moved }, 'stale status edit not taken');
          continue;
        }
        takePersonStatus(state, edited);
        if (edited === 'pending' && !reset.includes(spec.id)) reset.push(spec.id);
        await persist(ctx, tx, state, fileStatus);
        read.push(spec.id);
        await tx.addEvent(project, ctx.runId, spec.id, 'task:edited', { status: edited });
      }
    }
    for (const id of edits.removed) {
      if (ctx.tasks.get(id)?.status !== 'in_progress') ctx.tasks.delete(id);
    }
    await rememberRead(ctx, tx, read, edits.queue.fileStatus);
  });
  ctx.emitter.emit('queue:reloaded', { added: edits.added, changed: edits.changed, reset });
  ctx.log.info({ added: edits.added, changed: edits.changed, reset, removed: edits.removed }, 'queue file edited');
}

/**
 * The store's status of a task when it is neither what the file showed before a person's edit nor
 * what the edit says: the edit was made on a status that moved on since (undefined: take it).
 */
async function movedSince(tx: Store, project: string, taskId: string, before: TaskStatus | undefined, edited: TaskStatus): Promise<string | undefined> {
  const row = await tx.task(project, taskId);
  if (!row || before === undefined || row.status === before || row.status === edited) return undefined;
  return row.status;
}

/**
 * A running task's edit that its next iteration takes: the description always (a person fixing the
 * prompt), the command only where no gate stood before the task (a gated command was approved as it was).
 */
export function takeRunningEdit(running: TaskSpec, edited: TaskSpec): TaskSpec {
  const gated = running.environment !== undefined || running.approvalReasons !== false;
  const next: TaskSpec = { ...running, description: edited.description };
  if (!gated) {
    if (edited.command) next.command = edited.command;
    else delete next.command;
  }
  return next;
}

async function stateFor(ctx: EngineContext, tx: Store, spec: TaskSpec, row: TaskRow | undefined, fileStatus: TaskStatus): Promise<TaskState> {
  if (!row) {
    return { spec, status: fileStatus === 'in_progress' ? 'pending' : fileStatus, iterations: 0, baseIteration: 0, lastError: null, reason: null };
  }
  const state: TaskState = {
    spec,
    status: row.status as TaskStatus,
    iterations: row.iterations,
    baseIteration: row.base_iteration,
    lastError: row.last_error,
    reason: row.reason,
  };
  // file_status is this machine's own record of its file: another machine's write never counts here.
  const personEdited = row.file_status !== null && row.file_status !== fileStatus && fileStatus !== row.status;
  if (personEdited) {
    takePersonStatus(state, fileStatus);
    await tx.addEvent(ctx.project, ctx.runId, spec.id, 'task:edited', { status: fileStatus, was: row.status });
  } else if (state.status !== fileStatus) {
    ctx.sync.setStatus(spec.id, state.status);
  }
  return state;
}

export function takePersonStatus(state: TaskState, status: TaskStatus): void {
  const wasFinal = FINAL_STATUSES.has(state.status) || state.status === 'awaiting_approval';
  state.status = status === 'in_progress' ? 'pending' : status;
  if (state.status === 'pending' && wasFinal) {
    // A fresh attempt: a full iteration budget, no stale error.
    state.baseIteration = state.iterations;
    state.lastError = null;
    state.reason = null;
  }
}

async function persist(ctx: EngineContext, tx: Store, state: TaskState, fileStatus: TaskStatus): Promise<void> {
  await tx.saveTask(ctx.project, {
    task_id: state.spec.id,
    status: state.status,
    file_status: fileStatus,
    iterations: state.iterations,
    base_iteration: state.baseIteration,
    last_error: state.lastError,
    reason: state.reason,
  });
}

/** The statuses this machine just read in its own file: its record of the file from now on. */
async function rememberRead(ctx: EngineContext, tx: Store, ids: readonly string[], fileStatus: ReadonlyMap<string, TaskStatus>): Promise<void> {
  const marks = ids.flatMap((id) => {
    const status = fileStatus.get(id);
    return status === undefined ? [] : [{ task_id: id, status }];
  });
  if (marks.length === 0) return;
  for (const m of marks) await tx.setFileStatus(ctx.project, m.task_id, m.status);
  await tx.saveFileMarks(ctx.project, queueFileId(ctx.sync.queue.file), marks);
}
