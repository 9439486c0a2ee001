import { existsSync, renameSync } from 'node:fs';
import path from 'node:path';
import { LoopError } from '../errors.js';
import { StateStore } from '../state/state-store.js';
import type { Workspace } from '../workspace/paths.js';
import { writeFileAtomic } from '../workspace/write-file-atomic.js';
import { faultPoint } from '../workspace/fault-point.js';
import { flushDecisions } from './decision-record.js';
import { flushDeployments } from './deployment-record.js';
import { projectionProblem } from './check-projection.js';
import { isFresh } from './open-record-store.js';
import { readDecisionsFile, readDeploymentsFile, type Projection } from './read-projections.js';
import { refuseOutsideLink } from './records-behind.js';

/**
 * `autonomous-loop repair`: brings the records back in line. A damaged state.db is set aside and,
 * like a missing one, rebuilt from deployments.json and decisions.jsonl; a damaged or lagging
 * record file is set aside and rewritten from state.db. Nothing is deleted. Returns what was done.
 */
export function repairRecords(ws: Workspace): string[] {
  for (const file of [ws.stateDb, ws.deploymentsFile, ws.decisionsFile]) refuseOutsideLink(file, ws);
  const said: string[] = [];
  const stamp = new Date().toISOString().replace(/[-:.]/g, '');
  let rebuild = isFresh(ws.stateDb);
  let store: StateStore | undefined;
  if (!rebuild) {
    try {
      store = StateStore.open(ws.stateDb);
    } catch (e) {
      if (!(e instanceof LoopError) || !/damaged/.test(e.message)) throw e;
      for (const suffix of ['', '-wal', '-shm']) {
        if (existsSync(ws.stateDb + suffix)) renameSync(ws.stateDb + suffix, `${ws.stateDb}.damaged-${stamp}${suffix}`);
      }
      said.push(`${ws.stateDb}: damaged; set aside as ${path.basename(ws.stateDb)}.damaged-${stamp}`);
      rebuild = true;
    }
  }
  store ??= StateStore.open(ws.stateDb);
  faultPoint('repair:store-opened');
  try {
    if (rebuild) said.push(...rebuildStore(store, ws));
    else {
      said.push(...restoreLostRows(store, ws));
      const deployments = readDeploymentsFile(ws.deploymentsFile);
      const problem = projectionProblem(deployments, store.recordIds('deployments'));
      if (problem) {
        setAside(ws.deploymentsFile, stamp);
        writeFileAtomic(ws.deploymentsFile, '{\n  "deployments": []\n}\n');
        store.transaction(() => store?.markAllUnwritten('deployments'));
        said.push(`${ws.deploymentsFile}: ${problem}; rewritten from state.db (${store.deployments().length} record(s))`);
      }
      const decisions = readDecisionsFile(ws.decisionsFile);
      const decisionProblem = projectionProblem(decisions, store.recordIds('decisions'));
      if (decisionProblem) {
        setAside(ws.decisionsFile, stamp);
        store.transaction(() => store?.markAllUnwritten('decisions'));
        said.push(`${ws.decisionsFile}: ${decisionProblem}; rewritten from state.db (${store.decisions().length} record(s))`);
      }
    }
    // What is there now is what state.db wrote: the next start reads it through once more.
    store.setProjectionStamp('deployments.json', null);
    store.setProjectionStamp('decisions.jsonl', null);
    const behind = [flushDeployments(store, ws), flushDecisions(store, ws)].filter((p): p is string => p !== undefined);
    if (behind.length > 0) throw new LoopError(behind.join('\n'), 2);
    if (said.length === 0) said.push(`records are in order: ${store.deployments().length} deployment(s), ${store.decisions().length} decision(s)`);
    return said;
  } finally {
    store.close();
  }
}

function rebuildStore(store: StateStore, ws: Workspace): string[] {
  const deployments = readDeploymentsFile(ws.deploymentsFile);
  const decisions = readDecisionsFile(ws.decisionsFile);
  const unusable = (p: Projection, file: string): string | undefined => (p.state === 'damaged' ? `${file}: ${p.why}` : undefined);
  const bad = [unusable(deployments, ws.deploymentsFile), unusable(decisions, ws.decisionsFile)].filter((x): x is string => x !== undefined);
  if (bad.length > 0) throw new LoopError(`cannot rebuild ${ws.stateDb} from damaged records (${bad.join('; ')}): restore the file from a backup, then run repair again`, 2);
  const deps = deployments.state === 'ok' ? deployments.records : [];
  const decs = decisions.state === 'ok' ? decisions.records : [];
  store.transaction(() => {
    insertDeployments(store, deps);
    insertDecisions(store, decs);
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
function restoreLostRows(store: StateStore, ws: Workspace): string[] {
  const said: string[] = [];
  for (const [table, file] of [['deployments', ws.deploymentsFile], ['decisions', ws.decisionsFile]] as const) {
    const projection = table === 'deployments' ? readDeploymentsFile(file) : readDecisionsFile(file);
    const ids = new Set(store.recordIds(table).map((r) => r.id));
    const missing = projection.state === 'ok' ? projection.records.filter((r) => !ids.has(r.id)) : [];
    const { rows, inserted } = store.recordCount(table);
    if (missing.length === 0 && rows >= inserted) continue;
    store.transaction(() => {
      if (table === 'deployments') insertDeployments(store, missing);
      else insertDecisions(store, missing);
      store.rechain(table);
    });
    const gone = inserted - rows - missing.length;
    said.push(
      `${ws.stateDb}: had lost ${Math.max(inserted - rows, missing.length)} ${table} row(s); ${missing.length} restored from ${path.basename(file)}` +
        `${gone > 0 ? `, ${gone} not in the file either (lost)` : ''}; the chain is computed again`,
    );
  }
  return said;
}

function insertDeployments(store: StateStore, records: { id: string; json: string }[]): void {
  for (const r of records) {
    const project = (JSON.parse(r.json) as { project?: unknown }).project;
    store.insertDeployment(typeof project === 'string' ? project : '', r.id, r.json);
  }
  store.markDeploymentsWritten(records.map((r) => r.id));
}

function insertDecisions(store: StateStore, records: { id: string; json: string }[]): void {
  const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  for (const r of records) {
    const d = JSON.parse(r.json) as { project?: unknown; task_id?: unknown; decision?: unknown; fingerprint?: unknown };
    store.insertDecision(str(d.project) ?? '', r.id, str(d.task_id), str(d.decision) ?? 'unknown', str(d.fingerprint), r.json);
  }
  store.markDecisionsWritten(records.map((r) => r.id));
}
