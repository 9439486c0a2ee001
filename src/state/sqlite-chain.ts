import type { Db } from './open-database.js';
import { CHAIN_READS, chainReads, relinked } from './record-chain.js';
import { preparedOn } from './sqlite-prepared.js';
import type { ChainedRecord, RecordTable } from './store.js';

const SQL = {
  ...CHAIN_READS,
  inserted: 'SELECT inserted FROM record_counts WHERE tbl = ?',
  setInserted: 'INSERT OR REPLACE INTO record_counts (tbl, inserted) VALUES (?, ?)',
  setDeploymentChain: 'UPDATE deployments SET chain = ? WHERE seq = ?',
  setDecisionChain: 'UPDATE decisions SET chain = ? WHERE seq = ?',
} as const;
const stmt = preparedOn(SQL);

/** The records' hash chain in SQLite (record-chain.ts) and the count of records ever inserted. */
export const sqliteChain = {
  /** The link a new record chains onto: the last record's, '' for the first. */
  last(db: Db, table: RecordTable): string {
    return (stmt(db, chainReads(table).last).get() as { chain: string | null } | undefined)?.chain ?? '';
  },
  count(db: Db, table: RecordTable): { rows: number; inserted: number } {
    const rows = (stmt(db, chainReads(table).rows).get() as { n: number }).n;
    const inserted = (stmt(db, 'inserted').get(table) as { inserted: number } | undefined)?.inserted ?? rows;
    return { rows, inserted };
  },
  records(db: Db, table: RecordTable): ChainedRecord[] {
    return stmt(db, chainReads(table).records).all() as ChainedRecord[];
  },
  /** Every link hashed again, in order, and the count set to the rows there are. */
  rechain(db: Db, table: RecordTable): void {
    const rows = sqliteChain.records(db, table);
    const update = stmt(db, table === 'deployments' ? 'setDeploymentChain' : 'setDecisionChain');
    for (const { seq, chain } of relinked(rows)) update.run(chain, seq);
    stmt(db, 'setInserted').run(table, rows.length);
  },
};
