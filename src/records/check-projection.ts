import { storeName } from '../state/open-store.js';
import { ExitCode, LoopError } from '../errors.js';
import { statSync } from 'node:fs';
import path from 'node:path';
import type { Store } from '../state/store.js';
import { readDecisionsFile, readDeploymentsFile, type Projection } from './read-projections.js';

type Table = 'deployments' | 'decisions';

/**
 * Why a record file does not hold what was written there (every record up to its mark, `upTo`),
 * or undefined.
 */
export function projectionProblem(projection: Projection, stored: { id: string; seq: number }[], upTo: number): string | undefined {
  const written = stored.filter((r) => r.seq <= upTo);
  if (projection.state === 'damaged') return projection.why;
  if (projection.state === 'missing') return written.length > 0 ? `missing, while ${storeName()} holds ${written.length} record(s) written to it` : undefined;
  const ids = new Set(projection.records.map((r) => r.id));
  const lost = written.filter((r) => !ids.has(r.id));
  return lost.length > 0 ? `${lost.length} record(s) written to it are no longer there (first: ${lost[0]?.id})` : undefined;
}

/**
 * How far a file with no mark of its own was written: up to the last record it holds (a file from
 * before marks, or on a machine new to the database: none).
 */
export function heldUpTo(projection: Projection, stored: { id: string; seq: number }[]): number {
  if (projection.state !== 'ok') return 0;
  const ids = new Set(projection.records.map((r) => r.id));
  return stored.reduce((max, r) => (ids.has(r.id) && r.seq > max ? r.seq : max), 0);
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
 * Whether a record file still holds what the store wrote there (every record up to its mark). A
 * file that looks as it did just after our last write (size, mtime, inode) is taken as it is; any
 * other is read through and compared, and remembered when it passes. Returns the problem, or
 * undefined.
 */
export async function checkProjection(store: Store, file: string, table: Table): Promise<string | undefined> {
  return (await inspectProjection(store, file, table)).problem;
}

async function inspectProjection(store: Store, file: string, table: Table): Promise<{ problem: string | undefined; seq: number }> {
  const key = store.projectionKey(file);
  const stamp = fileStamp(file);
  const known = await store.projectionMark(key);
  if (known && known.stamp !== null && known.stamp === stamp) return { problem: undefined, seq: known.seq };
  const projection = readProjection(file, table);
  const stored = await store.recordIds(table);
  const lost = lostFromStore(projection, stored, path.basename(file));
  if (lost) throw lostRowsError(file, lost);
  // A file holding records past its mark was appended to by a write whose mark did not commit
  // (a crash, a lost connection): written up to them, so they are not appended twice.
  const seq = Math.max(known?.seq ?? 0, heldUpTo(projection, stored));
  const problem = projectionProblem(projection, stored, seq);
  const unchanged = known ? known.seq === seq && known.stamp === stamp : seq === 0 && stamp === null;
  if (!problem && !unchanged) await store.setProjectionMark(key, { seq, stamp });
  return { problem, seq };
}

export function readProjection(file: string, table: Table): Projection {
  return table === 'deployments' ? readDeploymentsFile(file) : readDecisionsFile(file);
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

/**
 * Appends to a projection what the store holds after the file's mark, in one transaction: only to
 * a file that still holds what was written there (else it is damaged: `repair`). The mark then
 * moves to the last record appended.
 */
export function appendToProjection(store: Store, file: string, table: Table, append: (file: string, lines: { id: string; json: string }[]) => void): Promise<void> {
  return store.transaction(async (tx) => {
    const key = tx.projectionKey(file);
    const candidates = await tx.recordsAfter(table, (await tx.projectionMark(key))?.seq ?? 0);
    if (candidates.length === 0) return;
    const { problem, seq } = await inspectProjection(tx, file, table);
    if (problem) throw new LoopError(`${file}: damaged (${problem}); not appended to`, ExitCode.badInput);
    const pending = candidates.filter((r) => r.seq > seq);
    const last = pending.at(-1);
    if (!last) return;
    append(file, pending.map((r) => ({ id: r.id, json: r.record })));
    await tx.setProjectionMark(key, { seq: last.seq, stamp: fileStamp(file) });
  });
}
