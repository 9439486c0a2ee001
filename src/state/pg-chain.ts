import type { Query } from './pg-claims.js';
import { CHAIN_READS, chainReads, relinked } from './record-chain.js';
import type { ChainedRecord, RecordTable } from './store.js';

const SQL = {
  inserted: 'SELECT inserted FROM record_counts WHERE tbl = $1',
  setInserted: `INSERT INTO record_counts (tbl, inserted) VALUES ($1, $2) ON CONFLICT (tbl) DO UPDATE SET inserted = excluded.inserted`,
  setDeploymentChain: 'UPDATE deployments SET chain = $1 WHERE seq = $2',
  setDecisionChain: 'UPDATE decisions SET chain = $1 WHERE seq = $2',
} as const;

/**
 * The records' hash chain in PostgreSQL (record-chain.ts) and the count of records ever inserted.
 * `last` and `rechain` run inside a writer transaction: two processes never chain onto the same row.
 */
export const pgChain = {
  async last(q: Query, table: RecordTable): Promise<string> {
    return (await q<{ chain: string | null }>(CHAIN_READS[chainReads(table).last]))[0]?.chain ?? '';
  },
  async count(q: Query, table: RecordTable): Promise<{ rows: number; inserted: number }> {
    const rows = Number((await q<{ n: string }>(CHAIN_READS[chainReads(table).rows]))[0]?.n ?? 0);
    const inserted = (await q<{ inserted: number }>(SQL.inserted, [table]))[0]?.inserted ?? rows;
    return { rows, inserted: Number(inserted) };
  },
  records(q: Query, table: RecordTable): Promise<ChainedRecord[]> {
    return q(CHAIN_READS[chainReads(table).records]);
  },
  /** Every link hashed again, in order (`write`: the updates, sent together), and the count set to the rows there are. */
  async rechain(q: Query, write: (sql: string, params: unknown[]) => Promise<void>, table: RecordTable): Promise<void> {
    const rows = await pgChain.records(q, table);
    const update = table === 'deployments' ? SQL.setDeploymentChain : SQL.setDecisionChain;
    for (const { seq, chain } of relinked(rows)) await write(update, [chain, seq]);
    await write(SQL.setInserted, [table, rows.length]);
  },
};
