import { closeSync, fsyncSync, openSync } from 'node:fs';
import { faultPoint } from '../workspace/fault-point.js';
import { DEDUP_WINDOW, openRegularFile, readTail, writeAll } from '../workspace/file-tail.js';

/**
 * Appends one JSON line a decision; a line whose id is in the last megabyte of the file is not
 * added again. Only the tail is read: the cost is that of the new lines, whatever the history.
 */
export function appendDecisionLines(file: string, records: readonly { id: string; json: string }[]): void {
  const existing = openRegularFile(file);
  let tail = '';
  let endsWithNewline = true;
  if (existing !== undefined) {
    try {
      const read = readTail(existing, DEDUP_WINDOW);
      tail = read.tail.toString('utf8');
      endsWithNewline = read.tail.length === 0 || read.tail[read.tail.length - 1] === 0x0a;
    } finally {
      closeSync(existing);
    }
  }
  const lines = records.filter((r) => !tail.includes(`"id":${JSON.stringify(r.id)}`)).map((r) => `${r.json}\n`);
  if (lines.length === 0) return;
  faultPoint('write:decisions.jsonl:before');
  const fd = openSync(file, 'a');
  try {
    writeAll(fd, Buffer.from((endsWithNewline ? '' : '\n') + lines.join('')));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  faultPoint('write:decisions.jsonl:after');
}
