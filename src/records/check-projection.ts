import { storeName } from '../state/open-store.js';
import { ExitCode, LoopError } from '../errors.js';
import { statSync } from 'node:fs';
import path from 'node:path';
import type { Store } from '../state/store.js';
import { readDecisionsFile, readDeploymentsFile, type Projection } from './read-projections.js';

type Table = 'deployments' | 'decisions';

/** Why a record file does not match state.db (the records it has written there), or undefined. */
export function projectionProblem(projection: Projection, stored: { id: string; written?: number }[]): string | undefined {
  const written = stored.filter((r) => r.written !== 0);
  if (projection.state === 'damaged') return projection.why;
  if (projection.state === 'missing') return written.length > 0 ? `missing, while ${storeName()} holds ${written.length} record(s) written to it` : undefined;
  const ids = new Set(projection.records.map((r) => r.id));
  const lost = written.filter((r) => !ids.has(r.id));
  return lost.length > 0 ? `${lost.length} record(s) written to it are no longer there (first: ${lost[0]?.id})` : undefined;
}

/** Size, modification time and inode: what the file looked like. */
export function fileStamp(file: string): string | null {
  try {
    const s = statSync(file, { bigint: true });
    return `${s.size}:${s.mtimeNs}:${s.ino}`;
  } catch {
    return null;
  }
}

/**
 * Whether a record file still holds what state.db wrote there. A file that looks as it did just
 * after our last write (size, mtime, inode) is taken as it is; any other is read through and
 * compared, and remembered when it passes. Returns the problem, or undefined.
 */
export async function checkProjection(store: Store, file: string, table: Table): Promise<string | undefined> {
  const name = path.basename(file);
  const stamp = fileStamp(file);
  const known = await store.projectionStamp(name);
  if (known !== undefined && known === stamp) return undefined;
  const projection = table === 'deployments' ? readDeploymentsFile(file) : readDecisionsFile(file);
  const stored = await store.recordIds(table);
  const problem = projectionProblem(projection, stored);
  const lost = lostFromStore(projection, stored, name);
  if (lost) throw lostRowsError(file, lost);
  if (!problem && stamp !== known) await store.setProjectionStamp(name, stamp);
  return problem;
}

/** Records the file holds that state.db does not: the store lost rows (never made up in a file). */
export function lostFromStore(projection: Projection, stored: { id: string }[], fileName: string): string | undefined {
  if (projection.state !== 'ok') return undefined;
  const ids = new Set(stored.map((r) => r.id));
  const lost = projection.records.filter((r) => !ids.has(r.id));
  return lost.length > 0 ? `${lost.length} record(s) that ${fileName} holds are missing from it (first: ${lost[0]?.id})` : undefined;
}

/**
 * The refusal of a state store that lost rows: starting from it would forget approvals and
 * history. Exit 5 (the tool's own storage); `repair` restores the rows from the record files.
 */
export function lostRowsError(file: string, why: string): LoopError {
  const root = path.dirname(path.dirname(file));
  return new LoopError(
    `${storeName() === 'state.db' ? path.join(root, '.aibrain', 'state.db') : storeName()}: ${why}; refused: the store cannot be trusted. Run 'autonomous-loop repair --root ${root}' to restore them from ${path.basename(file)}`,
    ExitCode.storageFailed,
  );
}

/** The store's own count: rows ever inserted that are no longer there. */
export async function checkRowCount(store: Store, table: Table, file: string): Promise<void> {
  const { rows, inserted } = await store.recordCount(table);
  if (rows < inserted) throw lostRowsError(file, `${inserted - rows} of the ${inserted} ${table} row(s) it recorded are missing`);
}

/** After our own write: the file as it looks now is the one state.db knows. */
export function stampProjection(store: Store, file: string): Promise<void> {
  return store.setProjectionStamp(path.basename(file), fileStamp(file));
}

/**
 * Appends to a projection what state.db holds and the file does not yet, in one transaction: only
 * to a file that still holds what state.db wrote there (else it is damaged: `repair`).
 */
export function appendToProjection(
  store: Store,
  file: string,
  table: Table,
  records: {
    pending: (tx: Store) => Promise<{ id: string; record: string }[]>;
    append: (file: string, lines: { id: string; json: string }[]) => void;
    written: (tx: Store, ids: string[]) => Promise<void>;
  },
): Promise<void> {
  return store.transaction(async (tx) => {
    const pending = await records.pending(tx);
    if (pending.length === 0) return;
    const damaged = await checkProjection(tx, file, table);
    if (damaged) throw new LoopError(`${file}: damaged (${damaged}); not appended to`, ExitCode.badInput);
    records.append(file, pending.map((r) => ({ id: r.id, json: r.record })));
    await stampProjection(tx, file);
    await records.written(tx, pending.map((r) => r.id));
  });
}
