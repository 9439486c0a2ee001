import { statSync } from 'node:fs';
import path from 'node:path';
import { ExitCode, LoopError } from '../errors.js';
import { StateStore } from '../state/state-store.js';
import type { Workspace } from '../workspace/paths.js';
import { checkProjection, checkRowCount } from './check-projection.js';
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
    checkRowCount(store, 'deployments', ws.deploymentsFile);
    checkRowCount(store, 'decisions', ws.decisionsFile);
    refuseDamaged(ws, store, ws.deploymentsFile, 'deployments');
    refuseDamaged(ws, store, ws.decisionsFile, 'decisions');
  } catch (e) {
    store.close();
    throw e;
  }
  return store;
}

function refuseDamaged(ws: Workspace, store: StateStore, file: string, table: 'deployments' | 'decisions'): void {
  const problem = checkProjection(store, file, table);
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
