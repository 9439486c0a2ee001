import { appendFileSync, fsyncSync, openSync, closeSync } from 'node:fs';
import { LoopError } from '../errors.js';
import { readRegularFile } from '../workspace/read-regular-file.js';
import { faultPoint } from '../workspace/fault-point.js';

/** Appends one JSON line a decision; a line whose id is in the file already is not added again. */
export function appendDecisionLines(file: string, records: readonly { id: string; json: string }[]): void {
  let existing = '';
  try {
    existing = readRegularFile(file) ?? '';
  } catch (e) {
    if (e instanceof LoopError) throw e;
    // unreadable: the append below says why
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
