import { appendFileSync, fsyncSync, openSync, closeSync, readFileSync } from 'node:fs';
import { faultPoint } from '../workspace/fault-point.js';

/** Appends one JSON line a decision; a line whose id is in the file already is not added again. */
export function appendDecisionLines(file: string, records: readonly { id: string; json: string }[]): void {
  let existing = '';
  try {
    existing = readFileSync(file, 'utf8');
  } catch {
    // a new file
  }
  const lines = records.filter((r) => !existing.includes(`"id":${JSON.stringify(r.id)}`)).map((r) => `${r.json}\n`);
  if (lines.length === 0) return;
  faultPoint('write:decisions.jsonl:before');
  const prefix = existing.length > 0 && !existing.endsWith('\n') ? '\n' : '';
  appendFileSync(file, prefix + lines.join(''));
  const fd = openSync(file, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  faultPoint('write:decisions.jsonl:after');
}
