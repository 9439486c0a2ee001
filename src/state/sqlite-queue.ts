import type { Db } from './open-database.js';
import { preparedOn } from './sqlite-prepared.js';
import type { FileMark, QueueFileId, QueueFileRow, QueuePushResult, StoredFileMark, StoredQueue, StoredQueueTask } from './queue-revision.js';

const SQL = {
  head: 'SELECT revision FROM queue_heads WHERE project = ?',
  tasks: 'SELECT task_id, definition, position, revision, source FROM queue_tasks WHERE project = ? ORDER BY position, task_id',
  bump: 'UPDATE queue_heads SET revision = revision + 1, updated_at = ?, pushed_by = ? WHERE project = ? AND revision = ?',
  first: 'INSERT OR IGNORE INTO queue_heads (project, revision, updated_at, pushed_by) VALUES (?, 1, ?, ?)',
  upsert: `INSERT INTO queue_tasks (project, task_id, definition, position, revision, source) VALUES (@project, @task_id, @definition, @position, @revision, @source)
    ON CONFLICT (project, task_id) DO UPDATE SET definition = excluded.definition, position = excluded.position, revision = excluded.revision, source = excluded.source`,
  seen: `INSERT INTO queue_files (project, file_key, host, path, seen_at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (project, file_key) DO UPDATE SET seen_at = excluded.seen_at`,
  mark: `INSERT INTO file_marks (project, file_key, task_id, status, was, definition, base) VALUES (@project, @file_key, @task_id, @status, @was, @definition, @base)
    ON CONFLICT (project, file_key, task_id) DO UPDATE SET status = COALESCE(excluded.status, file_marks.status),
      was = CASE WHEN excluded.status IS NULL THEN file_marks.was ELSE excluded.was END, definition = COALESCE(excluded.definition, file_marks.definition), base = COALESCE(excluded.base, file_marks.base)`,
  marks: 'SELECT file_key, task_id, status, was, definition, base FROM file_marks WHERE project = ? AND file_key = ?',
  allMarks: 'SELECT file_key, task_id, status, was, definition, base FROM file_marks WHERE project = ? ORDER BY task_id, file_key',
  files: 'SELECT file_key, host, path, seen_at FROM queue_files WHERE project = ? ORDER BY file_key',
  forgetFile: 'DELETE FROM queue_files WHERE project = ? AND file_key = ?',
  forgetMarks: 'DELETE FROM file_marks WHERE project = ? AND file_key = ?',
} as const;

const stmt = preparedOn(SQL);

/** The queue's revision and each machine's file marks in SQLite (one immediate transaction a push). */
export const sqliteQueue = {
  stored(db: Db, project: string): StoredQueue {
    const head = stmt(db, 'head').get(project) as { revision: number } | undefined;
    return { revision: head?.revision ?? 0, tasks: stmt(db, 'tasks').all(project) as StoredQueueTask[] };
  },

  push(db: Db, project: string, expected: number, source: string, defs: readonly { task_id: string; definition: string; position: number }[]): QueuePushResult {
    return db.transaction((): QueuePushResult => {
      const now = new Date().toISOString();
      const swapped = expected === 0 ? stmt(db, 'first').run(project, now, source).changes : stmt(db, 'bump').run(now, source, project, expected).changes;
      const revision = (stmt(db, 'head').get(project) as { revision: number } | undefined)?.revision ?? 0;
      if (swapped === 0) return { ok: false, revision };
      for (const d of defs) stmt(db, 'upsert').run({ project, ...d, revision, source });
      return { ok: true, revision };
    }).immediate();
  },

  saveMarks(db: Db, project: string, file: QueueFileId, marks: readonly FileMark[]): void {
    db.transaction(() => {
      stmt(db, 'seen').run(project, file.fileKey, file.host, file.path, new Date().toISOString());
      for (const m of marks) stmt(db, 'mark').run({ project, file_key: file.fileKey, task_id: m.task_id, status: m.status ?? null, was: m.was ?? null, definition: m.definition ?? null, base: m.base ?? null });
    }).immediate();
  },

  marks(db: Db, project: string, fileKey: string): Map<string, StoredFileMark> {
    return new Map((stmt(db, 'marks').all(project, fileKey) as StoredFileMark[]).map((m) => [m.task_id, m]));
  },

  allMarks(db: Db, project: string): StoredFileMark[] {
    return stmt(db, 'allMarks').all(project) as StoredFileMark[];
  },

  files(db: Db, project: string): QueueFileRow[] {
    return stmt(db, 'files').all(project) as QueueFileRow[];
  },

  forget(db: Db, project: string, fileKey: string): boolean {
    return db.transaction((): boolean => {
      const gone = stmt(db, 'forgetFile').run(project, fileKey).changes > 0;
      stmt(db, 'forgetMarks').run(project, fileKey);
      return gone;
    }).immediate();
  },
};
