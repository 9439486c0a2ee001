import { readFileSync } from 'node:fs';
import { toStorageError } from '../workspace/storage-error.js';

/** A record file as read back: its records (id and JSON text), or why it cannot be trusted. */
export type Projection = { state: 'missing' } | { state: 'damaged'; why: string } | { state: 'ok'; records: { id: string; json: string }[] };

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw toStorageError(e, file, 'read the records') ?? e;
  }
}

export function readDeploymentsFile(file: string): Projection {
  const text = read(file);
  if (text === undefined) return { state: 'missing' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return { state: 'damaged', why: `not JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
  const list = (parsed as { deployments?: unknown } | null)?.deployments;
  if (!Array.isArray(list)) return { state: 'damaged', why: 'expected {"deployments": [...]}' };
  const records: { id: string; json: string }[] = [];
  for (const [i, r] of list.entries()) {
    const id = (r as { id?: unknown } | null)?.id;
    if (typeof id !== 'string') return { state: 'damaged', why: `deployments[${i}].id: expected a string` };
    records.push({ id, json: JSON.stringify(r, null, 2) });
  }
  return { state: 'ok', records };
}

export function readDecisionsFile(file: string): Projection {
  const text = read(file);
  if (text === undefined) return { state: 'missing' };
  const records: { id: string; json: string }[] = [];
  const lines = text.split('\n');
  for (const [i, line] of lines.entries()) {
    if (line.trim() === '') continue;
    let id: unknown;
    try {
      id = (JSON.parse(line) as { id?: unknown } | null)?.id;
    } catch {
      return { state: 'damaged', why: `line ${i + 1}: not JSON` };
    }
    if (typeof id !== 'string') return { state: 'damaged', why: `line ${i + 1}: id: expected a string` };
    records.push({ id, json: line });
  }
  return { state: 'ok', records };
}
