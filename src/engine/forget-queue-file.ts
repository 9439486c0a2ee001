import { InputError } from '../errors.js';
import { openRecordStore } from '../records/open-record-store.js';
import { targetArgs } from '../workspace/find-workspace.js';
import { queueFileId } from './file-marks.js';
import { loadWorkspaceQueue } from './load-workspace-queue.js';

export interface ForgetReport {
  project: string;
  /** The file forgotten, as conflicts name it: host:path. */
  forgotten: string;
}

/**
 * `autonomous-loop forget-file <host:path> --project p`: a machine gone for good (a laptop
 * replaced, a container deleted) keeps its queue file's record in the database, and its file,
 * behind every definition changed since, is named in a conflict for ever. A person forgets it:
 * its record goes, on the record (`queue:file-forgotten`). Should that machine push or run
 * again, its file is recorded afresh: its first push only records it, as any machine's first.
 */
export async function forgetQueueFile(root: string, project: string, file: string): Promise<ForgetReport> {
  const { ws, queue } = loadWorkspaceQueue(root, project);
  const store = await openRecordStore(ws);
  try {
    if (!store.sharedByRunners) throw new InputError(`the state store is this machine's (SQLite): its one queue file is the queue, and there is no other machine's file to forget`);
    if (file === queueFileId(queue.file).fileKey) throw new InputError(`${file} is this machine's own queue file: it is recorded again at its next push or run; forget a file of a machine that is gone`);
    if (!(await store.forgetQueueFile(project, file))) {
      const known = (await store.queueFiles(project)).map((f) => f.file_key);
      throw new InputError(`no queue file '${file}' of project ${project} in the database (files: ${known.length > 0 ? known.join(', ') : 'none'}); name it as 'autonomous-loop status ${targetArgs(ws.root, project)}' does: host:path`);
    }
    await store.addEvent(project, null, null, 'queue:file-forgotten', { file });
    return { project, forgotten: file };
  } finally {
    await store.close();
  }
}
