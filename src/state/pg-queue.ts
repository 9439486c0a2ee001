import type { Query } from './pg-claims.js';
import type { FileMark, QueueFileId, QueueFileRow, QueuePushResult, StoredFileMark, StoredQueue, StoredQueueTask } from './queue-revision.js';

const SQL = {
  head: 'SELECT revision FROM queue_heads WHERE project = $1',
  tasks: 'SELECT task_id, definition, position, revision, source FROM queue_tasks WHERE project = $1 ORDER BY position, task_id',
  // The compare-and-swap: only the revision the pusher read is replaced.
  bump: 'UPDATE queue_heads SET revision = revision + 1, updated_at = clock_timestamp()::text, pushed_by = $3 WHERE project = $1 AND revision = $2 RETURNING revision',
  first: 'INSERT INTO queue_heads (project, revision, updated_at, pushed_by) VALUES ($1, 1, clock_timestamp()::text, $2) ON CONFLICT (project) DO NOTHING RETURNING revision',
  upsert: `INSERT INTO queue_tasks (project, task_id, definition, position, revision, source)
    SELECT $1, d.task_id, d.definition, d.position, $3, $4 FROM jsonb_to_recordset($2::jsonb) AS d(task_id text, definition text, position integer)
    ON CONFLICT (project, task_id) DO UPDATE SET definition = excluded.definition, position = excluded.position, revision = excluded.revision, source = excluded.source`,
  seen: `INSERT INTO queue_files (project, file_key, host, path, seen_at) VALUES ($1, $2, $3, $4, clock_timestamp()::text)
    ON CONFLICT (project, file_key) DO UPDATE SET seen_at = excluded.seen_at`,
  marks: `INSERT INTO file_marks (project, file_key, task_id, status, was, definition, base)
    SELECT $1, $2, m.task_id, m.status, m.was, m.definition, m.base FROM jsonb_to_recordset($3::jsonb) AS m(task_id text, status text, was text, definition text, base text)
    ON CONFLICT (project, file_key, task_id) DO UPDATE SET status = COALESCE(excluded.status, file_marks.status),
      was = CASE WHEN excluded.status IS NULL THEN file_marks.was ELSE excluded.was END, definition = COALESCE(excluded.definition, file_marks.definition), base = COALESCE(excluded.base, file_marks.base)`,
  fileMarks: 'SELECT file_key, task_id, status, was, definition, base FROM file_marks WHERE project = $1 AND file_key = $2',
  allMarks: 'SELECT file_key, task_id, status, was, definition, base FROM file_marks WHERE project = $1 ORDER BY task_id, file_key',
  files: 'SELECT file_key, host, path, seen_at FROM queue_files WHERE project = $1 ORDER BY file_key',
  forgetFile: 'DELETE FROM queue_files WHERE project = $1 AND file_key = $2 RETURNING file_key',
  forgetMarks: 'DELETE FROM file_marks WHERE project = $1 AND file_key = $2',
} as const;

/** The queue's revision and each machine's file marks in PostgreSQL. */
export const pgQueue = {
  async stored(q: Query, project: string): Promise<StoredQueue> {
    const head = (await q<{ revision: number }>(SQL.head, [project]))[0];
    return { revision: head?.revision ?? 0, tasks: await q<StoredQueueTask>(SQL.tasks, [project]) };
  },

  /** Run inside a transaction. */
  async push(q: Query, project: string, expected: number, source: string, defs: readonly { task_id: string; definition: string; position: number }[]): Promise<QueuePushResult> {
    const swapped = expected === 0 ? await q<{ revision: number }>(SQL.first, [project, source]) : await q<{ revision: number }>(SQL.bump, [project, expected, source]);
    const revision = swapped[0]?.revision;
    if (revision === undefined) return { ok: false, revision: (await q<{ revision: number }>(SQL.head, [project]))[0]?.revision ?? 0 };
    if (defs.length > 0) await q(SQL.upsert, [project, JSON.stringify(defs), revision, source]);
    return { ok: true, revision };
  },

  /** Run inside a transaction. */
  async saveMarks(q: Query, project: string, file: QueueFileId, marks: readonly FileMark[]): Promise<void> {
    await q(SQL.seen, [project, file.fileKey, file.host, file.path]);
    const rows = marks.map((m) => ({ task_id: m.task_id, status: m.status ?? null, was: m.was ?? null, definition: m.definition ?? null, base: m.base ?? null }));
    if (rows.length > 0) await q(SQL.marks, [project, file.fileKey, JSON.stringify(rows)]);
  },

  async marks(q: Query, project: string, fileKey: string): Promise<Map<string, StoredFileMark>> {
    return new Map((await q<StoredFileMark>(SQL.fileMarks, [project, fileKey])).map((m) => [m.task_id, m]));
  },

  allMarks: (q: Query, project: string): Promise<StoredFileMark[]> => q<StoredFileMark>(SQL.allMarks, [project]),
  files: (q: Query, project: string): Promise<QueueFileRow[]> => q<QueueFileRow>(SQL.files, [project]),

  /** Run inside a transaction. */
  async forget(q: Query, project: string, fileKey: string): Promise<boolean> {
    const gone = await q<{ file_key: string }>(SQL.forgetFile, [project, fileKey]);
    await q(SQL.forgetMarks, [project, fileKey]);
    return gone.length > 0;
  },
};
