import { existsSync, renameSync } from 'node:fs';
import path from 'node:path';
import { LoopError } from '../errors.js';
import { describeStoreLocation, openStore, storeName } from '../state/open-store.js';
import type { RecordTable, Store } from '../state/store.js';
import type { Workspace } from '../workspace/paths.js';
import { writeFileAtomic } from '../workspace/write-file-atomic.js';
import { faultPoint } from '../workspace/fault-point.js';
import { flushDecisions } from './decision-record.js';
import { flushDeployments } from './deployment-record.js';
import { heldUpTo, projectionProblem, readProjection } from './check-projection.js';
import { readDecisionsFile, readDeploymentsFile, type Projection } from './read-projections.js';
import { refuseOutsideLink } from './records-behind.js';

/**
 * `autonomous-loop repair`: brings the records back in line. A damaged state.db is set aside and,
 * like a missing one, rebuilt from deployments.json and decisions.jsonl; a damaged or lagging
 * record file is set aside and rewritten from state.db. Nothing is deleted. Returns what was done.
 */
export async function repairRecords(ws: Workspace): Promise<string[]> {
  for (const file of [ws.stateDb, ws.deploymentsFile, ws.decisionsFile]) refuseOutsideLink(file, ws);
  const said: string[] = [];
  const stamp = new Date().toISOString().replace(/[-:.]/g, '');
  let rebuild = false;
  let store: Store | undefined;
  try {
    store = await openStore(ws.stateDb, {
      whenFresh: () => {
        rebuild = true;
      },
    });
  } catch (e) {
    if (!(e instanceof LoopError) || !/damaged/.test(e.message)) throw e;
    for (const suffix of ['', '-wal', '-shm']) {
      if (existsSync(ws.stateDb + suffix)) renameSync(ws.stateDb + suffix, `${ws.stateDb}.damaged-${stamp}${suffix}`);
    }
    said.push(`${ws.stateDb}: damaged; set aside as ${path.basename(ws.stateDb)}.damaged-${stamp}`);
    rebuild = true;
  }
  store ??= await openStore(ws.stateDb);
  faultPoint('repair:store-opened');
  try {
    const restored = rebuild ? new Set<RecordTable>(['deployments', 'decisions']) : new Set<RecordTable>();
    if (rebuild) said.push(...(await rebuildStore(store, ws)));
    else said.push(...(await restoreLostRows(store, ws, restored)));
    for (const [table, file] of [['deployments', ws.deploymentsFile], ['decisions', ws.decisionsFile]] as const) {
      said.push(...(await rebuildProjection(store, ws, table, file, restored.has(table), stamp)));
    }
    const behind = [await flushDeployments(store, ws), await flushDecisions(store, ws)].filter((p): p is string => p !== undefined);
    if (behind.length > 0) throw new LoopError(behind.join('\n'), 2);
    if (said.length === 0) said.push(`records are in order: ${(await store.deployments()).length} deployment(s), ${(await store.decisions()).length} decision(s)`);
    return said;
  } finally {
    await store.close();
  }
}

/**
 * This machine's record file checked against its mark (a file with none: written up to the last
 * record it holds; rows just restored from it count as written): one that lacks what was written
 * there is set aside and written again from the store, whole. The stamp is forgotten either way,
 * so the next start reads the file through once more.
 */
async function rebuildProjection(store: Store, ws: Workspace, table: RecordTable, file: string, restored: boolean, stamp: string): Promise<string[]> {
  const key = store.projectionKey(file);
  const projection = readProjection(file, table);
  const ids = await store.recordIds(table);
  const held = heldUpTo(projection, ids);
  const known = (await store.projectionMark(key))?.seq;
  const upTo = known === undefined ? held : restored ? Math.max(known, held) : known;
  const problem = projectionProblem(projection, ids, upTo);
  if (!problem) {
    await store.setProjectionMark(key, { seq: upTo, stamp: null });
    return [];
  }
  setAside(file, stamp);
  if (table === 'deployments') writeFileAtomic(file, '{\n  "deployments": []\n}\n');
  await store.setProjectionMark(key, { seq: 0, stamp: null });
  return [`${file}: ${problem}; rewritten from ${storeName()} (${ids.length} record(s))`];
}

async function rebuildStore(store: Store, ws: Workspace): Promise<string[]> {
  const deployments = readDeploymentsFile(ws.deploymentsFile);
  const decisions = readDecisionsFile(ws.decisionsFile);
  const unusable = (p: Projection, file: string): string | undefined => (p.state === 'damaged' ? `${file}: ${p.why}` : undefined);
  const bad = [unusable(deployments, ws.deploymentsFile), unusable(decisions, ws.decisionsFile)].filter((x): x is string => x !== undefined);
  if (bad.length > 0) throw new LoopError(`cannot rebuild ${ws.stateDb} from damaged records (${bad.join('; ')}): restore the file from a backup, then run repair again`, 2);
  const deps = deployments.state === 'ok' ? deployments.records : [];
  const decs = decisions.state === 'ok' ? decisions.records : [];
  await store.transaction(async (tx) => {
    await insertDeployments(tx, deps);
    await insertDecisions(tx, decs);
  });
  return [`${ws.stateDb}: rebuilt from the records: ${deps.length} deployment(s), ${decs.length} decision(s) (task progress starts again from the queue file)`];
}

function setAside(file: string, stamp: string): void {
  if (existsSync(file)) renameSync(file, `${file}.damaged-${stamp}`);
}

/**
 * A store that lost rows (deleted, or an earlier repair cut off) gets them back from the record
 * files, never the other way round: each record a file holds and state.db does not is inserted,
 * then the table's chain is computed again and its count set, in one transaction.
 */
async function restoreLostRows(store: Store, ws: Workspace, restored: Set<RecordTable>): Promise<string[]> {
  const said: string[] = [];
  for (const [table, file] of [['deployments', ws.deploymentsFile], ['decisions', ws.decisionsFile]] as const) {
    const projection = readProjection(file, table);
    const ids = new Set((await store.recordIds(table)).map((r) => r.id));
    const missing = projection.state === 'ok' ? projection.records.filter((r) => !ids.has(r.id)) : [];
    const { rows, inserted } = await store.recordCount(table);
    if (missing.length === 0 && rows >= inserted) continue;
    if (missing.length > 0) restored.add(table);
    await store.transaction(async (tx) => {
      if (table === 'deployments') await insertDeployments(tx, missing);
      else await insertDecisions(tx, missing);
      await tx.rechain(table);
    });
    const gone = inserted - rows - missing.length;
    said.push(
      `${describeStoreLocation(ws.stateDb)}: had lost ${Math.max(inserted - rows, missing.length)} ${table} row(s); ${missing.length} restored from ${path.basename(file)}` +
        `${gone > 0 ? `, ${gone} not in the file either (lost)` : ''}; the chain is computed again`,
    );
  }
  return said;
}

async function insertDeployments(tx: Store, records: { id: string; json: string }[]): Promise<void> {
  for (const r of records) {
    const project = (JSON.parse(r.json) as { project?: unknown }).project;
    await tx.insertDeployment(typeof project === 'string' ? project : '', r.id, r.json);
  }
}

async function insertDecisions(tx: Store, records: { id: string; json: string }[]): Promise<void> {
  const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  for (const r of records) {
    const d = JSON.parse(r.json) as { project?: unknown; task_id?: unknown; decision?: unknown; fingerprint?: unknown; signature?: unknown };
    // a signed decision's signature column comes back from its record
    const signature = d.signature && typeof d.signature === 'object' ? JSON.stringify(d.signature) : null;
    await tx.insertDecision(str(d.project) ?? '', r.id, str(d.task_id), str(d.decision) ?? 'unknown', str(d.fingerprint), r.json, signature);
  }
}
