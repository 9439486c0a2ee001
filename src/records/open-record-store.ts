import { statSync } from 'node:fs';
import path from 'node:path';
import { ExitCode, LoopError } from '../errors.js';
import { StateStore, type StoredRecord } from '../state/state-store.js';
import type { Workspace } from '../workspace/paths.js';
import { readDecisionsFile, readDeploymentsFile, type Projection } from './read-projections.js';
import { refuseOutsideLink } from './records-behind.js';

const repairCommand = (ws: Workspace): string => `autonomous-loop repair --root ${ws.root}`;

/**
 * Opens the workspace's state store, the truth of the records, after checking it is the one the
 * records came from: a state.db missing or emptied while deployments.json or decisions.jsonl hold
 * records is never started afresh (that would forget approvals and history), a damaged one is
 * refused (quick_check), and a record file that state.db does not match is refused. Each refusal is
 * one line naming the file and `autonomous-loop repair`.
 */
export function openRecordStore(ws: Workspace): StateStore {
  for (const file of [ws.stateDb, ws.deploymentsFile, ws.decisionsFile]) refuseOutsideLink(file, ws);
  if (isFresh(ws.stateDb)) {
    const held = [ws.deploymentsFile, ws.decisionsFile].filter((f) => recordCount(f === ws.deploymentsFile ? readDeploymentsFile(f) : readDecisionsFile(f)) > 0);
    if (held.length > 0) {
      throw new LoopError(
        `${ws.stateDb}: missing or empty while ${held.map((f) => path.basename(f)).join(' and ')} hold records; run '${repairCommand(ws)}' to rebuild it from them`,
        ExitCode.badInput,
      );
    }
  }
  const store = StateStore.open(ws.stateDb);
  try {
    checkProjection(ws, ws.deploymentsFile, readDeploymentsFile(ws.deploymentsFile), store.deployments());
    checkProjection(ws, ws.decisionsFile, readDecisionsFile(ws.decisionsFile), store.decisions());
  } catch (e) {
    store.close();
    throw e;
  }
  return store;
}

/** Why a record file does not match state.db (what it has written there), or undefined. */
export function projectionProblem(projection: Projection, stored: (StoredRecord & { written?: number })[]): string | undefined {
  const written = stored.filter((r) => r.written !== 0);
  if (projection.state === 'damaged') return projection.why;
  if (projection.state === 'missing') return written.length > 0 ? `missing, while state.db holds ${written.length} record(s) written to it` : undefined;
  const ids = new Set(projection.records.map((r) => r.id));
  const lost = written.filter((r) => !ids.has(r.id));
  return lost.length > 0 ? `${lost.length} record(s) written to it are no longer there (first: ${lost[0]?.id})` : undefined;
}

function checkProjection(ws: Workspace, file: string, projection: Projection, stored: StoredRecord[]): void {
  const problem = projectionProblem(projection, stored);
  if (problem) throw new LoopError(`${file}: damaged (${problem}); state.db holds the records: run '${repairCommand(ws)}' to rewrite it from them`, ExitCode.badInput);
}

function recordCount(p: Projection): number {
  return p.state === 'ok' ? p.records.length : p.state === 'damaged' ? 1 : 0;
}

export function isFresh(file: string): boolean {
  try {
    return statSync(file).size === 0;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return true;
    return false; // something in the way: opening the store names it
  }
}
