import path from 'node:path';
import { openStore, storeName } from '../state/open-store.js';
import { chainHash, type RecordTable, type Store } from '../state/store.js';
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
export async function verifyRecords(ws: Workspace): Promise<Verification> {
  for (const file of [ws.stateDb, ws.deploymentsFile, ws.decisionsFile]) refuseOutsideLink(file, ws);
  const store = await openStore(ws.stateDb);
  try {
    const problems: string[] = [];
    const checked = {} as Verification['checked'];
    for (const [table, file] of [['deployments', ws.deploymentsFile], ['decisions', ws.decisionsFile]] as const) {
      const broken = new Set<string>();
      checked[table] = await verifyChain(store, table, problems, broken);
      await compareFile(store, table, file, problems, broken);
    }
    return { checked, problems };
  } finally {
    await store.close();
  }
}

async function verifyChain(store: Store, table: RecordTable, problems: string[], broken: Set<string>): Promise<{ rows: number; unchained: number }> {
  const rows = await store.chainedRecords(table);
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
      problems.push(`${storeName()} ${table} row ${row.seq} (id ${row.id}): does not match its chain: edited in the database, or a row before it removed`);
    }
    // Going on from the stored link names one edit once, not every row after it.
    prev = row.chain ?? expected;
  }
  const { rows: there, inserted } = await store.recordCount(table);
  if (there < inserted) problems.push(`${storeName()} ${table}: ${inserted - there} of the ${inserted} row(s) recorded are missing`);
  return { rows: rows.length, unchained };
}

// Each record in the file against its row: same record, or named as edited (in the file when its
// row still matches its chain, else in the database).
async function compareFile(store: Store, table: RecordTable, file: string, problems: string[], broken: Set<string>): Promise<void> {
  const name = path.basename(file);
  const projection = table === 'deployments' ? readDeploymentsFile(file) : readDecisionsFile(file);
  if (projection.state === 'damaged') {
    problems.push(`${name}: damaged (${projection.why})`);
    return;
  }
  const rows = new Map((await store.chainedRecords(table)).map((r) => [r.id, r.record]));
  const records = projection.state === 'ok' ? projection.records : [];
  const seen = new Set<string>();
  const where = (i: number): string => (table === 'decisions' ? `line ${i + 1}` : `deployments[${i}]`);
  records.forEach((r, i) => {
    seen.add(r.id);
    const row = rows.get(r.id);
    if (row === undefined) problems.push(`${name} ${where(i)} (id ${r.id}): not in ${storeName()}`);
    else if (canonical(row) !== canonical(r.json)) problems.push(`${name} ${where(i)} (id ${r.id}): differs from ${storeName()} (${broken.has(r.id) ? 'the row was edited in the database' : 'edited in the file'})`);
  });
  const upTo = (await store.projectionMark(store.projectionKey(file)))?.seq ?? 0;
  const written = (await store.recordIds(table)).filter((r) => r.seq <= upTo && !seen.has(r.id));
  for (const r of written.slice(0, 20)) problems.push(`${name}: record ${r.id} written there is missing`);
}

const canonical = (json: string): string => JSON.stringify(JSON.parse(json));

