import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { storeName } from '../state/open-store.js';
import { refuseLinkOutside } from '../workspace/link-target.js';
import type { Workspace } from '../workspace/paths.js';
import { isStateStoreError, toStorageError } from '../workspace/storage-error.js';

let behind: string | undefined;

/** Remembers that a record file is behind state.db (the last reason); said by the run and `approve`. */
export function noteBehind(problem: string | undefined): void {
  if (problem !== undefined) behind = problem;
}

/** Why a record file is behind state.db, when a write failed in this process and none succeeded since. */
export function recordsBehind(): string | undefined {
  return behind;
}

/**
 * Writes a projection of state.db (deployments.json, decisions.jsonl). A file that cannot be
 * written is not the deployment failing: the problem comes back as one line, the records stay in
 * state.db, and the next flush or `autonomous-loop repair` writes them. The store failing throws.
 */
export async function projectionWrite(file: string, ws: Workspace, action: string, write: () => Promise<void>): Promise<string | undefined> {
  try {
    refuseOutsideLink(file, ws);
    // A checkout that only reads a shared database (approve, history on another machine) may have no
    // .aibrain/ yet: the projection's folder is made, as a run makes it.
    mkdirSync(path.dirname(file), { recursive: true });
    await write();
    if (behind?.startsWith(file)) behind = undefined;
    return undefined;
  } catch (e) {
    if (isStateStoreError(e)) throw e;
    const error = toStorageError(e, file, action);
    if (!error) throw e;
    return `${error.message.replace(/: run again$|and run again$/, '').trimEnd()} — the records are safe in ${storeName() === 'state.db' ? path.relative(ws.root, ws.stateDb) : storeName()}; 'autonomous-loop repair --root ${ws.root}' writes them`;
  }
}

/** A record file that is a symlink leading out of the workspace is refused: records are written inside it. */
export function refuseOutsideLink(file: string, ws: Workspace): void {
  refuseLinkOutside(file, ws.root, 'file');
}
