import path from 'node:path';
import { ExitCode, LoopError } from '../errors.js';
import { describeStoreLocation, openStore, storeName } from '../state/open-store.js';
import type { Store } from '../state/store.js';
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
export async function openRecordStore(ws: Workspace): Promise<Store> {
  for (const file of [ws.stateDb, ws.deploymentsFile, ws.decisionsFile]) refuseOutsideLink(file, ws);
  const store = await openStore(ws.stateDb, {
    whenFresh: () => {
      const held = [ws.deploymentsFile, ws.decisionsFile].filter((f) => recordCount(f === ws.deploymentsFile ? readDeploymentsFile(f) : readDecisionsFile(f)) > 0);
      if (held.length > 0) {
        throw new LoopError(
          `${describeStoreLocation(ws.stateDb)}: missing or empty while ${held.map((f) => path.basename(f)).join(' and ')} hold records; run '${repairCommand(ws)}' to rebuild it from them`,
          ExitCode.badInput,
        );
      }
    },
  });
  try {
    await checkRowCount(store, 'deployments', ws.deploymentsFile);
    await checkRowCount(store, 'decisions', ws.decisionsFile);
    await refuseDamaged(ws, store, ws.deploymentsFile, 'deployments');
    await refuseDamaged(ws, store, ws.decisionsFile, 'decisions');
  } catch (e) {
    await store.close();
    throw e;
  }
  return store;
}

async function refuseDamaged(ws: Workspace, store: Store, file: string, table: 'deployments' | 'decisions'): Promise<void> {
  const problem = await checkProjection(store, file, table);
  if (problem) throw new LoopError(`${file}: damaged (${problem}); ${storeName()} holds the records: run '${repairCommand(ws)}' to rewrite it from them`, ExitCode.badInput);
}

function recordCount(p: Projection): number {
  return p.state === 'ok' ? p.records.length : p.state === 'damaged' ? 1 : 0;
}
