import { chainHash, type ChainedRecord, type RecordTable } from './store.js';

// The records' hash chain, the same on both stores: each record's link hashes the one before it and
// itself; `verify` checks a table against it and against the count of records ever inserted.
export const CHAIN_READS = {
  deploymentRows: 'SELECT count(*) AS n FROM deployments',
  decisionRows: 'SELECT count(*) AS n FROM decisions',
  lastDeploymentChain: 'SELECT chain FROM deployments ORDER BY seq DESC LIMIT 1',
  lastDecisionChain: 'SELECT chain FROM decisions ORDER BY seq DESC LIMIT 1',
  deploymentChains: 'SELECT seq, id, record, chain FROM deployments ORDER BY seq',
  decisionChains: 'SELECT seq, id, record, chain FROM decisions ORDER BY seq',
} as const;

type Read = keyof typeof CHAIN_READS;

/** The statements (CHAIN_READS' names) that read a table's chain: its row count, its last link, its records in order. */
export function chainReads(table: RecordTable): { rows: Read; last: Read; records: Read } {
  return table === 'deployments'
    ? { rows: 'deploymentRows', last: 'lastDeploymentChain', records: 'deploymentChains' }
    : { rows: 'decisionRows', last: 'lastDecisionChain', records: 'decisionChains' };
}

/** Every record's link hashed again, in order (after a repair). */
export function relinked(rows: readonly ChainedRecord[]): { seq: number; chain: string }[] {
  let prev = '';
  return rows.map((row) => ({ seq: row.seq, chain: (prev = chainHash(prev, row.id, row.record)) }));
}
