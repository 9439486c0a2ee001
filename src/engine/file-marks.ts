import { realpathSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import type { QueueFileId } from '../state/queue-revision.js';
import type { Store, TaskRow } from '../state/store.js';
import { faultPause } from '../workspace/fault-point.js';
import type { QueueSync } from './queue-sync.js';

/**
 * This machine's queue file as the store knows it: host + absolute path. Each machine keeps its
 * own record of what it last wrote into (or read from) its file, so a status in its file that
 * differs from that record is a person's edit on this machine — never another machine's write.
 */
export function queueFileId(file: string): QueueFileId {
  let abs = path.resolve(file);
  try {
    abs = realpathSync(abs);
  } catch {
    // not there (yet): the resolved path is its name
  }
  const host = hostname();
  return { fileKey: `${host}:${abs}`, host, path: abs };
}

/**
 * The rows with `file_status` as THIS machine last wrote or read it in its own file (null where it
 * has no record: the store's status stands, nothing is taken for a person's edit). A write of ours
 * cut off before it was known to have landed: the file holding what it held before (`inFile`, the
 * file's statuses as just read, where the caller has them) is that write not landed, not a person's edit.
 */
export async function withFileStatuses(store: Store, project: string, file: string, rows: Map<string, TaskRow>, inFile?: ReadonlyMap<string, string>): Promise<Map<string, TaskRow>> {
  const marks = await store.fileMarks(project, queueFileId(file).fileKey);
  // One machine's store (SQLite): a task this file has no mark for yet (a store made before the
  // marks) keeps the column, which only this machine ever wrote.
  const own = !store.sharedByRunners;
  const out = new Map<string, TaskRow>();
  for (const [id, row] of rows) {
    const mark = marks.get(id);
    const known = mark?.was != null && inFile?.get(id) === mark.was ? mark.was : mark?.status;
    out.set(id, { ...row, file_status: known ?? (own ? row.file_status : null) });
  }
  return out;
}

/**
 * The run's statuses written into its queue file, the store's record of the file true across a
 * crash at any point: each status to write is recorded first with what the file held before it
 * (`was`), then the file is written (only those), then the record says the file holds them.
 */
export async function writeStatusesBack(store: Store, project: string, sync: QueueSync): Promise<ReturnType<QueueSync['flush']>> {
  const planned = sync.plannedWrites();
  if (planned.size > 0) {
    await store.saveFileMarks(project, queueFileId(sync.queue.file), [...planned].map(([task_id, w]) => ({ task_id, status: w.status, was: w.was })));
    await faultPause('write-back:marked');
  }
  const result = sync.flush(new Map([...planned].map(([id, w]) => [id, w.status])));
  if (result.written.size > 0) await faultPause('write-back:file-written');
  await rememberFileStatuses(store, project, sync.queue.file, result.written);
  return result;
}

/** The statuses just written into (or read from) this machine's queue file: what it remembers as its file's. */
export async function rememberFileStatuses(store: Store, project: string, file: string, statuses: ReadonlyMap<string, string>): Promise<void> {
  if (statuses.size === 0) return;
  await store.transaction(async (tx) => {
    // The shared column too: a build from before the marks reads it (one machine).
    for (const [id, status] of statuses) await tx.setFileStatus(project, id, status);
    await tx.saveFileMarks(project, queueFileId(file), [...statuses].map(([task_id, status]) => ({ task_id, status, was: null })));
  });
}
