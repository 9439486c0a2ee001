import { readFileSync } from 'node:fs';
import { readRegularFile } from '../workspace/read-regular-file.js';
import { writeFileAtomic } from '../workspace/write-file-atomic.js';

/**
 * Appends records to `{"deployments": [...]}` without parsing or re-serialising what is there:
 * the new records are spliced in before the closing `]`, and the file replaced atomically.
 * Records already in the file (by id) are not added again: a resumed run never duplicates one.
 * Returns the ids written.
 */
export function appendDeploymentRecords(file: string, records: readonly { id: string; json: string }[]): string[] {
  const text = readRegularFile(file) ?? '{\n  "deployments": []\n}\n';
  const fresh = records.filter((r) => !text.includes(`"id": ${JSON.stringify(r.id)}`));
  if (fresh.length === 0) return records.map((r) => r.id);
  const close = findArrayClose(text, file);
  const before = text.slice(0, close);
  const empty = /\[\s*$/.test(before);
  const body = fresh.map((r) => indent(r.json)).join(',\n');
  const spliced = `${before.replace(/\s*$/, '')}${empty ? '' : ','}\n${body}\n  ${text.slice(close)}`;
  writeFileAtomic(file, spliced);
  return records.map((r) => r.id);
}

export function readDeploymentRecords(file: string): unknown[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const parsed = JSON.parse(text) as { deployments?: unknown };
  return Array.isArray(parsed.deployments) ? parsed.deployments : [];
}

function findArrayClose(text: string, file: string): number {
  const m = /\]\s*\}\s*$/.exec(text);
  if (!m) throw new Error(`${file}: does not end with the deployments array; fix the file by hand (records are kept in .aibrain/state.db meanwhile)`);
  return m.index;
}

function indent(json: string): string {
  return json
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}
