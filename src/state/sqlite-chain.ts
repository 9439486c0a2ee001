import type { Db } from './open-database.js';
import { chainHash, type ChainedRecord, type RecordTable } from './store.js';

type Statement = { run(...args: unknown[]): unknown; get(...args: unknown[]): unknown; all(...args: unknown[]): unknown[] };
const cache = new WeakMap<Db, Record<string, Statement>>();

const SQL = {
  inserted: 'SELECT inserted FROM record_counts WHERE tbl = ?',
  setInserted: 'INSERT OR REPLACE INTO record_counts (tbl, inserted) VALUES (?, ?)',
  deploymentRows: 'SELECT count(*) AS n FROM deployments',
  decisionRows: 'SELECT count(*) AS n FROM decisions',
  lastDeploymentChain: 'SELECT chain FROM deployments ORDER BY seq DESC LIMIT 1',
  lastDecisionChain: 'SELECT chain FROM decisions ORDER BY seq DESC LIMIT 1',
  deploymentChains: 'SELECT seq, id, record, chain FROM deployments ORDER BY seq',
  decisionChains: 'SELECT seq, id, record, chain FROM decisions ORDER BY seq',
  setDeploymentChain: 'UPDATE deployments SET chain = ? WHERE seq = ?',
  setDecisionChain: 'UPDATE decisions SET chain = ? WHERE seq = ?',
} as const;

function stmt(db: Db, name: keyof typeof SQL): Statement {
  let stmts = cache.get(db);
  if (!stmts) cache.set(db, (stmts = {}));
  return (stmts[name] ??= db.prepare(SQL[name]) as unknown as Statement);
}

const of = (table: RecordTable, deployments: keyof typeof SQL, decisions: keyof typeof SQL): keyof typeof SQL => (table === 'deployments' ? deployments : decisions);

/**
 * The records' hash chain in SQLite (each record's link hashes the one before it and itself) and
 * the count of records ever inserted: what `verify` checks a table against.
 */
export const sqliteChain = {
  /** The link a new record chains onto: the last record's, '' for the first. */
  last(db: Db, table: RecordTable): string {
    return (stmt(db, of(table, 'lastDeploymentChain', 'lastDecisionChain')).get() as { chain: string | null } | undefined)?.chain ?? '';
  },
  count(db: Db, table: RecordTable): { rows: number; inserted: number } {
    const rows = (stmt(db, of(table, 'deploymentRows', 'decisionRows')).get() as { n: number }).n;
    const inserted = (stmt(db, 'inserted').get(table) as { inserted: number } | undefined)?.inserted ?? rows;
    return { rows, inserted };
  },
  records(db: Db, table: RecordTable): ChainedRecord[] {
    return stmt(db, of(table, 'deploymentChains', 'decisionChains')).all() as ChainedRecord[];
  },
  /** Every link hashed again, in order, and the count set to the rows there are (after a repair). */
  rechain(db: Db, table: RecordTable): void {
    const rows = sqliteChain.records(db, table);
    const update = stmt(db, of(table, 'setDeploymentChain', 'setDecisionChain'));
    let prev = '';
    for (const row of rows) {
      prev = chainHash(prev, row.id, row.record);
      update.run(prev, row.seq);
    }
    stmt(db, 'setInserted').run(table, rows.length);
  },
};
