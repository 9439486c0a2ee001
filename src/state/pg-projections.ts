import { hostname } from 'node:os';
import path from 'node:path';
import type { Query } from './pg-claims.js';
import type { ProjectionMark, RecordTable, StoredRecord } from './store.js';

const SQL = {
  deploymentIds: 'SELECT id, seq FROM deployments ORDER BY seq',
  decisionIds: 'SELECT id, seq FROM decisions ORDER BY seq',
  deploymentsAfter: 'SELECT seq, id, record FROM deployments WHERE seq > $1 ORDER BY seq',
  decisionsAfter: 'SELECT seq, id, record FROM decisions WHERE seq > $1 ORDER BY seq',
  getMark: 'SELECT seq, stamp FROM projection_marks WHERE file = $1',
  putMark: 'INSERT INTO projection_marks (file, seq, stamp) VALUES ($1, $2, $3) ON CONFLICT (file) DO UPDATE SET seq = excluded.seq, stamp = excluded.stamp',
  deleteMark: 'DELETE FROM projection_marks WHERE file = $1',
} as const;

/**
 * Record file marks in PostgreSQL: every machine has its own `.aibrain/` files, so a mark is kept
 * per host and absolute path (an approve on machine B moves B's mark, never A's).
 */
export const pgProjections = {
  key(file: string): string {
    return `${hostname()}:${path.resolve(file)}`;
  },
  ids(q: Query, table: RecordTable): Promise<{ id: string; seq: number }[]> {
    return q(table === 'deployments' ? SQL.deploymentIds : SQL.decisionIds);
  },
  after(q: Query, table: RecordTable, seq: number): Promise<StoredRecord[]> {
    return q(table === 'deployments' ? SQL.deploymentsAfter : SQL.decisionsAfter, [seq]);
  },
  async mark(q: Query, key: string): Promise<ProjectionMark | undefined> {
    const row = (await q<{ seq: number | string; stamp: string | null }>(SQL.getMark, [key]))[0];
    return row ? { seq: Number(row.seq), stamp: row.stamp } : undefined;
  },
  async setMark(q: Query, key: string, mark: ProjectionMark | null): Promise<void> {
    if (mark === null) await q(SQL.deleteMark, [key]);
    else await q(SQL.putMark, [key, mark.seq, mark.stamp]);
  },
};
