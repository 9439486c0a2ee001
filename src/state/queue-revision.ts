// The queue in the store (issue 23 item 4): task definitions under a revision, and each
// machine's own record of its queue file. Shared by both stores (the Store extends it).

/** A task's definition as the store holds it: the queue file's task without its status (JSON). */
export interface StoredQueueTask {
  task_id: string;
  definition: string;
  position: number;
  /** The revision that last changed this definition. */
  revision: number;
  /** The file (host + path) whose push set it. */
  source: string;
}

/** The queue as the store holds it; revision 0 before the first push. */
export interface StoredQueue {
  revision: number;
  tasks: StoredQueueTask[];
}

/** One machine's queue file: host + absolute path (`host:/abs/path`). */
export interface QueueFileId {
  fileKey: string;
  host: string;
  path: string;
}

export type QueueFileRow = { file_key: string; host: string; path: string; seen_at: string };

/**
 * What one machine last read from or wrote into ITS queue file for a task: the status, the
 * definition, and `base` — the stored definition its file last agreed with. A field left out of
 * a save keeps its value; except `was`, which a save of a status always sets: what the file held
 * before a write of that status not yet known to have landed (null: the file holds the status).
 */
export interface FileMark {
  task_id: string;
  status?: string | null;
  was?: string | null;
  definition?: string | null;
  base?: string | null;
}

export type StoredFileMark = { file_key: string; task_id: string; status: string | null; was: string | null; definition: string | null; base: string | null };

export type QueuePushResult = { ok: true; revision: number } | { ok: false; revision: number };

export interface QueueRevisions {
  /** The project's stored queue (definitions in file order) and its revision. */
  storedQueue(project: string): Promise<StoredQueue>;
  /**
   * Compare-and-swap: when the stored revision is still `expected`, the definitions are written
   * (added or replaced) under revision expected + 1; otherwise nothing is written and the
   * current revision is returned. Inside a transaction it is part of it.
   */
  pushQueue(project: string, expected: number, source: string, definitions: readonly { task_id: string; definition: string; position: number }[]): Promise<QueuePushResult>;
  /** Notes that this machine's file took part (seen now), and saves its marks. */
  saveFileMarks(project: string, file: QueueFileId, marks: readonly FileMark[]): Promise<void>;
  /** One file's marks, by task id. */
  fileMarks(project: string, fileKey: string): Promise<Map<string, StoredFileMark>>;
  /** Every file's marks of the project (what `status` compares for conflicts). */
  allFileMarks(project: string): Promise<StoredFileMark[]>;
  queueFiles(project: string): Promise<QueueFileRow[]>;
  /** A machine's file forgotten (a machine gone for good): its row and marks deleted; false when there was none. */
  forgetQueueFile(project: string, fileKey: string): Promise<boolean>;
}
