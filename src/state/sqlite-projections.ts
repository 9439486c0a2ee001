import path from 'node:path';
import type { Db } from './open-database.js';
import { preparedOn } from './sqlite-prepared.js';
import type { ProjectionMark, RecordTable, StoredRecord } from './store.js';

const SQL = {
  deploymentIds: 'SELECT id, seq FROM deployments ORDER BY seq',
  decisionIds: 'SELECT id, seq FROM decisions ORDER BY seq',
  deploymentsAfter: 'SELECT seq, id, record FROM deployments WHERE seq > ? ORDER BY seq',
  decisionsAfter: 'SELECT seq, id, record FROM decisions WHERE seq > ? ORDER BY seq',
  getMark: 'SELECT seq, stamp FROM projection_marks WHERE file = ?',
  putMark: 'INSERT OR REPLACE INTO projection_marks (file, seq, stamp) VALUES (?, ?, ?)',
  deleteMark: 'DELETE FROM projection_marks WHERE file = ?',
} as const;

const stmt = preparedOn(SQL);

/** Record file marks in SQLite: state.db sits in the workspace beside its files, so a file's name is its key. */
export const sqliteProjections = {
  key(file: string): string {
    return path.basename(file);
  },
  ids(db: Db, table: RecordTable): { id: string; seq: number }[] {
    return stmt(db, table === 'deployments' ? 'deploymentIds' : 'decisionIds').all() as { id: string; seq: number }[];
  },
  after(db: Db, table: RecordTable, seq: number): StoredRecord[] {
    return stmt(db, table === 'deployments' ? 'deploymentsAfter' : 'decisionsAfter').all(seq) as StoredRecord[];
  },
  mark(db: Db, key: string): ProjectionMark | undefined {
    return stmt(db, 'getMark').get(key) as ProjectionMark | undefined;
  },
  setMark(db: Db, key: string, mark: ProjectionMark | null): void {
    if (mark === null) stmt(db, 'deleteMark').run(key);
    else stmt(db, 'putMark').run(key, mark.seq, mark.stamp);
  },
};
