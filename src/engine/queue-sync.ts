import { statSync } from 'node:fs';
import type { Logger } from '../log/create-logger.js';
import { InputError } from '../errors.js';
import { parseQueue, readQueueFile, readQueueFileQuietly, taskFingerprints, type Queue, type QueueDefaults } from '../queue/load-queue.js';
import { patchStatuses } from '../queue/patch-statuses.js';
import type { TaskStatus } from '../queue/schema.js';
import { writeFileAtomic } from '../workspace/write-file-atomic.js';

export interface QueueEdits {
  queue: Queue;
  added: string[];
  removed: string[];
  /** Tasks whose fields (other than status) a person changed. */
  changed: string[];
  /** Statuses a person set by hand, by task id. */
  statusEdits: Map<string, TaskStatus>;
  /** What the file said of each of those tasks before the edit: the status the person changed. */
  statusBefore: Map<string, TaskStatus>;
}

/** How long after a write of ours a save that undoes all of it is taken for one from an older copy. */
const STALE_WINDOW_MS = 500;

interface FileStamp {
  mtimeMs: number;
  size: number;
  ino: number;
}

/**
 * Keeps the queue file and the engine in step while people edit it: notices edits (by stat, then
 * content), and writes the engine's status changes back by patching only those values, after
 * merging whatever a person changed meanwhile. Writes are batched: never one rewrite per task.
 */
export class QueueSync {
  queue: Queue;
  readonly #defaults: QueueDefaults;
  readonly #log: Logger;
  #stamp: FileStamp | undefined;
  readonly #desired = new Map<string, TaskStatus>();
  #invalidMessage: string | undefined;

  constructor(queue: Queue, defaults: QueueDefaults, log: Logger) {
    this.queue = queue;
    this.#defaults = defaults;
    this.#log = log;
    this.#stamp = stampOf(queue.file);
  }

  /** What a task read from elsewhere (the state store's queue) gets where the file leaves a field out. */
  get defaults(): QueueDefaults {
    return this.#defaults;
  }

  /** The engine's status for a task, to be written at the next flush. */
  setStatus(taskId: string, status: TaskStatus): void {
    this.#desired.set(taskId, status);
  }

  /** The statuses the next flush would write, each with what the file holds now. */
  plannedWrites(): Map<string, { status: TaskStatus; was: TaskStatus }> {
    const planned = new Map<string, { status: TaskStatus; was: TaskStatus }>();
    for (const [id, status] of this.#desired) {
      const was = this.queue.fileStatus.get(id);
      if (was !== undefined && was !== status) planned.set(id, { status, was });
    }
    return planned;
  }

  get pendingWrites(): number {
    let n = 0;
    for (const [id, status] of this.#desired) if (this.queue.fileStatus.get(id) !== status) n++;
    return n;
  }

  /** The current problem with the file, if a person's edit left it invalid. */
  get invalid(): string | undefined {
    return this.#invalidMessage;
  }

  /** Re-reads the file when it changed on disk; undefined when nothing changed or it is invalid now. */
  checkForEdits(): QueueEdits | undefined {
    const stamp = stampOf(this.queue.file);
    if (stamp && this.#stamp && stamp.mtimeMs === this.#stamp.mtimeMs && stamp.size === this.#stamp.size && stamp.ino === this.#stamp.ino) {
      return undefined;
    }
    let next: Queue;
    try {
      const text = readQueueFile(this.queue.file);
      this.#stamp = stamp;
      if (text === this.queue.text) {
        this.#invalidMessage = undefined; // put back as it was: valid again
        return undefined;
      }
      next = parseQueue(text, this.queue.file, this.#defaults);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      if (this.#invalidMessage !== e.message) this.#log.warn({ err: e.message }, 'queue file edited into an invalid state; waiting for a fix');
      this.#invalidMessage = e.message;
      return undefined;
    }
    this.#invalidMessage = undefined;
    this.#editedAt = Date.now();
    const before = this.queue;
    const added: string[] = [];
    const changed: string[] = [];
    const statusEdits = new Map<string, TaskStatus>();
    const statusBefore = new Map<string, TaskStatus>();
    const oldPrints = taskFingerprints(before);
    const newPrints = taskFingerprints(next);
    // Only a save that also carries someone's other edit can be a stale copy; a change of statuses
    // alone (a person, or `approve`) is a decision and is taken.
    const otherEdit = next.tasks.some((t) => oldPrints.get(t.id) !== newPrints.get(t.id)) || before.tasks.length !== next.tasks.length;
    const stale = otherEdit ? this.#staleOverwrite(before, next) : undefined;
    if (stale) this.#log.warn({ tasks: [...stale] }, 'queue file saved from a copy read before the loop wrote its statuses: they are written again');
    for (const task of next.tasks) {
      const old = oldPrints.get(task.id);
      if (old === undefined) added.push(task.id);
      else if (old !== newPrints.get(task.id)) changed.push(task.id);
      const was = before.fileStatus.get(task.id);
      const now = next.fileStatus.get(task.id);
      if (stale?.has(task.id)) {
        // Saved from a copy read before our write: our status is written again, not taken as a person's.
        if (!this.#desired.has(task.id) && was !== undefined) this.#desired.set(task.id, was);
        continue;
      }
      if (was !== undefined && now !== undefined && was !== now) {
        statusEdits.set(task.id, now);
        statusBefore.set(task.id, was);
        // A person's status wins over a change of ours not yet written.
        this.#desired.delete(task.id);
      }
    }
    const removed = [...before.fileStatus.keys()].filter((id) => !next.fileStatus.has(id));
    this.queue = next;
    return { queue: next, added, removed, changed, statusEdits, statusBefore };
  }

  /**
   * Writes the statuses that differ from the file's. Reads the file first and merges a person's
   * edits; a file left invalid by a person is not written (the state store keeps everything).
   * Returns the edits found on the way, for the engine to take. `only`: the statuses that may be
   * written now (recorded as about to be); the others wait for the next flush.
   */
  flush(only?: ReadonlyMap<string, TaskStatus>): { written: Map<string, TaskStatus>; edits?: QueueEdits } {
    const edits = this.checkForEdits();
    const written = new Map<string, TaskStatus>();
    if (this.#invalidMessage !== undefined) return { written, ...(edits ? { edits } : {}) };
    const updates = new Map<string, string>();
    const later = new Set<string>();
    for (const [id, status] of this.#desired) {
      const inFile = this.queue.fileStatus.get(id);
      if (inFile === undefined) continue; // removed by a person
      if (inFile === status) continue;
      if (only && only.get(id) !== status) {
        later.add(id);
        continue;
      }
      updates.set(id, status === 'complete' && this.queue.usesCompleted ? 'completed' : status);
      written.set(id, status);
    }
    const settle = (): void => {
      for (const id of [...this.#desired.keys()]) if (!later.has(id)) this.#desired.delete(id);
    };
    if (updates.size === 0) {
      settle();
      return { written, ...(edits ? { edits } : {}) };
    }
    const base = this.queue.text;
    const text = patchStatuses(base, this.queue.tasksKey, updates);
    // Compare-and-swap: a file saved by someone since it was read is not replaced; its edits are
    // merged at the next flush and our statuses written then.
    const swapped = writeFileAtomic(this.queue.file, text, () => readQueueFileQuietly(this.queue.file) === base);
    if (!swapped) {
      this.#stamp = undefined;
      this.conflicts++;
      return { written: new Map(), ...(edits ? { edits } : {}) };
    }
    settle();
    const now = Date.now();
    this.#recentWrites = [...this.#recentWrites.filter((w) => now - w.at < STALE_WINDOW_MS), { at: now, before: new Map(this.queue.fileStatus) }];
    this.#stamp = stampOf(this.queue.file);
    for (const [id, status] of written) this.queue.fileStatus.set(id, status);
    this.queue.text = text;
    return { written, ...(edits ? { edits } : {}) };
  }

  #editedAt = 0;

  /**
   * Someone else saved the file within the last `ms` (a person's editor, a script): a save made
   * from a copy read just before our last write may still land and undo it.
   */
  editedWithin(ms: number): boolean {
    return Date.now() - this.#editedAt < ms;
  }

  /** How long after a write of ours a save that undoes all of it is taken for one from an older copy. */
  static readonly staleWindowMs = STALE_WINDOW_MS;

  /** Write-backs held back because the file changed under them (each merged and retried). */
  conflicts = 0;

  // The file's statuses before each of our recent writes.
  #recentWrites: { at: number; before: Map<string, TaskStatus> }[] = [];

  /**
   * The tasks whose status a save put back to what it was before one of our writes of the last
   * seconds, every one of those our writes since then changed: an editor (or a script) saving a copy
   * it read before we wrote. Those statuses are ours to write again, not a person's decision.
   */
  #staleOverwrite(before: Queue, next: Queue): Set<string> | undefined {
    const now = Date.now();
    for (const write of this.#recentWrites) {
      if (now - write.at >= STALE_WINDOW_MS) continue;
      const ours = [...before.fileStatus].filter(([id, status]) => write.before.has(id) && write.before.get(id) !== status).map(([id]) => id);
      if (ours.length > 0 && ours.every((id) => next.fileStatus.get(id) === write.before.get(id))) return new Set(ours);
    }
    return undefined;
  }
}


function stampOf(file: string): FileStamp | undefined {
  try {
    const s = statSync(file);
    return { mtimeMs: s.mtimeMs, size: s.size, ino: s.ino };
  } catch {
    return undefined;
  }
}
