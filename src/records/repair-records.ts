import { existsSync, renameSync } from 'node:fs';
import path from 'node:path';
import { LoopError } from '../errors.js';
import { describeStoreLocation, openStore, storeName } from '../state/open-store.js';
import type { Store } from '../state/store.js';
import type { Workspace } from '../workspace/paths.js';
import { writeFileAtomic } from '../workspace/write-file-atomic.js';
import { faultPoint } from '../workspace/fault-point.js';
import { flushDecisions } from './decision-record.js';
import { flushDeployments } from './deployment-record.js';
import { projectionProblem } from './check-projection.js';
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
    if (rebuild) said.push(...(await rebuildStore(store, ws)));
    else {
      said.push(...(await restoreLostRows(store, ws)));
      const deployments = readDeploymentsFile(ws.deploymentsFile);
      const problem = projectionProblem(deployments, await store.recordIds('deployments'));
      if (problem) {
        setAside(ws.deploymentsFile, stamp);
        writeFileAtomic(ws.deploymentsFile, '{\n  "deployments": []\n}\n');
        await store.transaction((tx) => tx.markAllUnwritten('deployments'));
        said.push(`${ws.deploymentsFile}: ${problem}; rewritten from ${storeName()} (${(await store.deployments()).length} record(s))`);
      }
      const decisions = readDecisionsFile(ws.decisionsFile);
      const decisionProblem = projectionProblem(decisions, await store.recordIds('decisions'));
      if (decisionProblem) {
        setAside(ws.decisionsFile, stamp);
        await store.transaction((tx) => tx.markAllUnwritten('decisions'));
        said.push(`${ws.decisionsFile}: ${decisionProblem}; rewritten from ${storeName()} (${(await store.decisions()).length} record(s))`);
      }
    }
    // What is there now is what state.db wrote: the next start reads it through once more.
    await store.setProjectionStamp('deployments.json', null);
    await store.setProjectionStamp('decisions.jsonl', null);
    const behind = [await flushDeployments(store, ws), await flushDecisions(store, ws)].filter((p): p is string => p !== undefined);
    if (behind.length > 0) throw new LoopError(behind.join('\n'), 2);
    if (said.length === 0) said.push(`records are in order: ${(await store.deployments()).length} deployment(s), ${(await store.decisions()).length} decision(s)`);
    return said;
  } finally {
    await store.close();
  }
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
async function restoreLostRows(store: Store, ws: Workspace): Promise<string[]> {
  const said: string[] = [];
  for (const [table, file] of [['deployments', ws.deploymentsFile], ['decisions', ws.decisionsFile]] as const) {
    const projection = table === 'deployments' ? readDeploymentsFile(file) : readDecisionsFile(file);
    const ids = new Set((await store.recordIds(table)).map((r) => r.id));
    const missing = projection.state === 'ok' ? projection.records.filter((r) => !ids.has(r.id)) : [];
    const { rows, inserted } = await store.recordCount(table);
    if (missing.length === 0 && rows >= inserted) continue;
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
  await tx.markDeploymentsWritten(records.map((r) => r.id));
}

async function insertDecisions(tx: Store, records: { id: string; json: string }[]): Promise<void> {
  const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  for (const r of records) {
    const d = JSON.parse(r.json) as { project?: unknown; task_id?: unknown; decision?: unknown; fingerprint?: unknown; signature?: unknown };
    // a signed decision's signature column comes back from its record
    const signature = d.signature && typeof d.signature === 'object' ? JSON.stringify(d.signature) : null;
    await tx.insertDecision(str(d.project) ?? '', r.id, str(d.task_id), str(d.decision) ?? 'unknown', str(d.fingerprint), r.json, signature);
  }
  await tx.markDecisionsWritten(records.map((r) => r.id));
}
