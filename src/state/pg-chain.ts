import type { Query } from './pg-claims.js';
import { chainHash, type ChainedRecord, type RecordTable } from './store.js';

const SQL = {
  inserted: 'SELECT inserted FROM record_counts WHERE tbl = $1',
  setInserted: `INSERT INTO record_counts (tbl, inserted) VALUES ($1, $2) ON CONFLICT (tbl) DO UPDATE SET inserted = excluded.inserted`,
  deploymentRows: 'SELECT count(*) AS n FROM deployments',
  decisionRows: 'SELECT count(*) AS n FROM decisions',
  lastDeploymentChain: 'SELECT chain FROM deployments ORDER BY seq DESC LIMIT 1',
  lastDecisionChain: 'SELECT chain FROM decisions ORDER BY seq DESC LIMIT 1',
  deploymentChains: 'SELECT seq, id, record, chain FROM deployments ORDER BY seq',
  decisionChains: 'SELECT seq, id, record, chain FROM decisions ORDER BY seq',
  setDeploymentChain: 'UPDATE deployments SET chain = $1 WHERE seq = $2',
  setDecisionChain: 'UPDATE decisions SET chain = $1 WHERE seq = $2',
} as const;

const of = (table: RecordTable, deployments: keyof typeof SQL, decisions: keyof typeof SQL): string => SQL[table === 'deployments' ? deployments : decisions];

/**
 * The records' hash chain in PostgreSQL (each record's link hashes the one before it and itself)
 * and the count of records ever inserted. `last` and `rechain` run inside a writer transaction:
 * two processes never chain onto the same row.
 */
export const pgChain = {
  async last(q: Query, table: RecordTable): Promise<string> {
    return (await q<{ chain: string | null }>(of(table, 'lastDeploymentChain', 'lastDecisionChain')))[0]?.chain ?? '';
  },
  async count(q: Query, table: RecordTable): Promise<{ rows: number; inserted: number }> {
    const rows = Number((await q<{ n: string }>(of(table, 'deploymentRows', 'decisionRows')))[0]?.n ?? 0);
    const inserted = (await q<{ inserted: number }>(SQL.inserted, [table]))[0]?.inserted ?? rows;
    return { rows, inserted: Number(inserted) };
  },
  records(q: Query, table: RecordTable): Promise<ChainedRecord[]> {
    return q(of(table, 'deploymentChains', 'decisionChains'));
  },
  /** Every link hashed again, in order (`write`: the updates, sent together), and the count set to the rows there are. */
  async rechain(q: Query, write: (sql: string, params: unknown[]) => Promise<void>, table: RecordTable): Promise<void> {
    const rows = await pgChain.records(q, table);
    const update = of(table, 'setDeploymentChain', 'setDecisionChain');
    let prev = '';
    for (const row of rows) {
      prev = chainHash(prev, row.id, row.record);
      await write(update, [prev, row.seq]);
    }
    await write(SQL.setInserted, [table, rows.length]);
  },
};
