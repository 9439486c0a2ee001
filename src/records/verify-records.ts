import path from 'node:path';
import { chainHash, StateStore, type RecordTable } from '../state/state-store.js';
import type { Workspace } from '../workspace/paths.js';
import { readDecisionsFile, readDeploymentsFile } from './read-projections.js';
import { refuseOutsideLink } from './records-behind.js';

export interface Verification {
  /** Rows checked per table, and how many are older than the chain (kept before it existed). */
  checked: Record<RecordTable, { rows: number; unchained: number }>;
  /** One line per row or record line that no longer matches, naming it. */
  problems: string[];
}

/**
 * `history --verify`: each record table's hash chain recomputed (a row edited or removed in the
 * database breaks it at that row), its count of rows ever inserted, and every line of the record
 * files compared with the row it projects (an edit in a file is named by line). Reads only.
 */
export function verifyRecords(ws: Workspace): Verification {
  for (const file of [ws.stateDb, ws.deploymentsFile, ws.decisionsFile]) refuseOutsideLink(file, ws);
  const store = StateStore.open(ws.stateDb);
  try {
    const problems: string[] = [];
    const checked = {} as Verification['checked'];
    for (const [table, file] of [['deployments', ws.deploymentsFile], ['decisions', ws.decisionsFile]] as const) {
      const broken = new Set<string>();
      checked[table] = verifyChain(store, table, problems, broken);
      compareFile(store, table, file, problems, broken);
    }
    return { checked, problems };
  } finally {
    store.close();
  }
}

function verifyChain(store: StateStore, table: RecordTable, problems: string[], broken: Set<string>): { rows: number; unchained: number } {
  const rows = store.chainedRecords(table);
  let prev = '';
  let unchained = 0;
  let chained = false;
  for (const row of rows) {
    if (row.chain === null && !chained) {
      unchained++;
      continue;
    }
    chained = true;
    const expected = chainHash(prev, row.id, row.record);
    if (row.chain !== expected) {
      broken.add(row.id);
      problems.push(`state.db ${table} row ${row.seq} (id ${row.id}): does not match its chain: edited in the database, or a row before it removed`);
    }
    // Going on from the stored link names one edit once, not every row after it.
    prev = row.chain ?? expected;
  }
  const { rows: there, inserted } = store.recordCount(table);
  if (there < inserted) problems.push(`state.db ${table}: ${inserted - there} of the ${inserted} row(s) recorded are missing`);
  return { rows: rows.length, unchained };
}

// Each record in the file against its row: same record, or named as edited (in the file when its
// row still matches its chain, else in the database).
function compareFile(store: StateStore, table: RecordTable, file: string, problems: string[], broken: Set<string>): void {
  const name = path.basename(file);
  const projection = table === 'deployments' ? readDeploymentsFile(file) : readDecisionsFile(file);
  if (projection.state === 'damaged') {
    problems.push(`${name}: damaged (${projection.why})`);
    return;
  }
  const rows = new Map(store.chainedRecords(table).map((r) => [r.id, r.record]));
  const records = projection.state === 'ok' ? projection.records : [];
  const seen = new Set<string>();
  const where = (i: number): string => (table === 'decisions' ? `line ${i + 1}` : `deployments[${i}]`);
  records.forEach((r, i) => {
    seen.add(r.id);
    const row = rows.get(r.id);
    if (row === undefined) problems.push(`${name} ${where(i)} (id ${r.id}): not in state.db`);
    else if (canonical(row) !== canonical(r.json)) problems.push(`${name} ${where(i)} (id ${r.id}): differs from state.db (${broken.has(r.id) ? 'the row was edited in the database' : 'edited in the file'})`);
  });
  const written = store.recordIds(table).filter((r) => r.written !== 0 && !seen.has(r.id));
  for (const r of written.slice(0, 20)) problems.push(`${name}: record ${r.id} written there is missing`);
}

const canonical = (json: string): string => JSON.stringify(JSON.parse(json));

