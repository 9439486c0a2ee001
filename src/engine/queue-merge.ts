import { ExitCode, LoopError } from '../errors.js';
import { taskFingerprints, type Queue } from '../queue/load-queue.js';
import type { FileMark, StoredFileMark, StoredQueue } from '../state/queue-revision.js';
import type { Store } from '../state/store.js';
import { faultPause } from '../workspace/fault-point.js';
import { queueFileId } from './file-marks.js';

/** What merging one machine's queue file into the store did. */
export interface QueueMerge {
  /** The store's queue revision after the merge. */
  revision: number;
  /** Tasks whose definition this file added or changed in the store. */
  pushed: string[];
  /** Tasks whose definition a person changed in this file and that were not taken: the store's changed elsewhere meanwhile (a conflict between machines). */
  notTaken: string[];
  /** Pushes that lost the compare-and-swap to another machine's and were merged again. */
  retries: number;
}

/** Another machine pushed between every read and swap, maxTries times in a row: nothing of this file was taken. */
export class QueuePushLost extends LoopError {
  constructor(message: string) {
    super(message, ExitCode.storageFailed);
  }
}

const MAX_TRIES = 20;

/**
 * Merges this machine's queue file into the store's queue, compare-and-swap on its revision:
 * a task the store lacks joins; a definition changed here since the file last agreed with the
 * store replaces the store's when the store's is still that one (a fast-forward); a definition
 * the store changed meanwhile (another machine's edit) is never overwritten — the task is
 * reported as not taken, and `status` names the conflict. Statuses are not merged here.
 */
export async function mergeQueueFile(store: Store, project: string, queue: Queue, maxTries = MAX_TRIES, fingerprints = taskFingerprints(queue)): Promise<QueueMerge> {
  const file = queueFileId(queue.file);
  for (let tries = 0; tries < maxTries; tries++) {
    const stored = await store.storedQueue(project);
    // One machine's store (SQLite): its file is the only one, so what it says is the queue (a --queue of another path too).
    const plan = planMerge(queue, fingerprints, stored, await store.fileMarks(project, file.fileKey), !store.sharedByRunners);
    if (plan.pushes.length === 0) {
      await store.saveFileMarks(project, file, plan.marks);
      return { revision: stored.revision, pushed: [], notTaken: plan.notTaken, retries: tries };
    }
    await faultPause('queue:before-swap');
    const won = await store.transaction(async (tx) => {
      const swap = await tx.pushQueue(project, stored.revision, file.fileKey, plan.pushes);
      if (swap.ok) await tx.saveFileMarks(project, file, plan.marks);
      return swap;
    });
    if (won.ok) return { revision: won.revision, pushed: plan.pushes.map((p) => p.task_id), notTaken: plan.notTaken, retries: tries };
  }
  throw new QueuePushLost(`${queue.displayFile}: the queue in the state store changed ${maxTries} times while this file was merged into it (other machines pushing): nothing of it was taken; push again`);
}

function planMerge(queue: Queue, fingerprints: Map<string, string>, stored: StoredQueue, marks: Map<string, StoredFileMark>, onlyFile: boolean): { pushes: { task_id: string; definition: string; position: number }[]; marks: FileMark[]; notTaken: string[] } {
  const inStore = new Map(stored.tasks.map((t) => [t.task_id, t.definition]));
  const pushes: { task_id: string; definition: string; position: number }[] = [];
  const out: FileMark[] = [];
  const notTaken: string[] = [];
  queue.tasks.forEach((task, position) => {
    const mine = fingerprints.get(task.id);
    if (mine === undefined) return;
    const theirs = inStore.get(task.id);
    const base = marks.get(task.id)?.base ?? null;
    if (theirs === undefined || (theirs !== mine && (onlyFile || (base !== null && theirs === base)))) {
      // A task the store lacks joins; an edit made here on top of what the store still holds replaces it.
      pushes.push({ task_id: task.id, definition: mine, position });
      out.push({ task_id: task.id, definition: mine, base: mine });
    } else if (theirs === mine) {
      out.push({ task_id: task.id, definition: mine, base: mine });
    } else {
      // The store's definition changed elsewhere (this file unchanged since: behind; changed too, or
      // never agreed: both edited). Never overwritten: the files disagree, and `status` says so.
      out.push({ task_id: task.id, definition: mine });
      // Only an edit made here is not taken; a file unchanged since it agreed is merely behind.
      if (mine !== base) notTaken.push(task.id);
    }
  });
  // A task a person removed from this file: removed from the store's queue too when the store still
  // holds what this file last agreed on (a tombstone: other machines' runners drop it); otherwise only
  // this file's record says so, and the files disagree.
  for (const [id, mark] of marks) {
    if (fingerprints.has(id) || mark.definition === REMOVED) continue;
    const theirs = inStore.get(id);
    if (theirs !== undefined && theirs !== REMOVED && (onlyFile || (mark.base !== null && theirs === mark.base))) {
      pushes.push({ task_id: id, definition: REMOVED, position: 1_000_000_000 });
      out.push({ task_id: id, definition: REMOVED, base: REMOVED });
    } else out.push({ task_id: id, definition: REMOVED });
  }
  // Only the marks that change are written (a queue of thousands, merged at every start).
  const changed = out.filter((m) => {
    const was = marks.get(m.task_id);
    return !was || was.definition !== m.definition || (m.base !== undefined && was.base !== m.base);
  });
  return { pushes, marks: changed, notTaken };
}

/** A file mark's (and the store's) definition of a task removed from the queue. */
export const REMOVED = '';
