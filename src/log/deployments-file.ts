import { closeSync, fsyncSync, ftruncateSync, readFileSync, writeSync } from 'node:fs';
import { ExitCode, LoopError } from '../errors.js';
import { faultPoint } from '../workspace/fault-point.js';
import { openRegularFile, readTail } from '../workspace/file-tail.js';
import { writeFileAtomic } from '../workspace/write-file-atomic.js';

const EMPTY = '{\n  "deployments": []\n}\n';
/** How far back from the end a record already written is looked for (a resumed run's records are the newest). */
const DEDUP_WINDOW = 1 << 20;

/**
 * Appends records to `{"deployments": [...]}` without reading or rewriting what is there: the
 * tail of the file is read, the new records are written in place over the closing `]}` in one
 * write, and the file is fsynced. The cost is that of the new records, whatever the history.
 * Records already in the last megabyte of the file (by id) are not added again: a resumed run,
 * whose unwritten records are the newest, never duplicates one. The caller serialises writers.
 * Returns the ids written.
 */
export function appendDeploymentRecords(file: string, records: readonly { id: string; json: string }[]): string[] {
  const fd = openForAppend(file);
  try {
    const bodyBytes = records.reduce((n, r) => n + Buffer.byteLength(r.json) * 2 + 64, 0);
    const { start, tail } = readTail(fd, DEDUP_WINDOW + bodyBytes);
    const text = tail.toString('utf8');
    const fresh = records.filter((r) => !text.includes(`"id": ${JSON.stringify(r.id)}`));
    if (fresh.length === 0) return records.map((r) => r.id);
    const end = findRecordsEnd(tail);
    if (end === undefined) {
      throw new LoopError(
        `${file}: does not end with the deployments array ("]}"); fix the file by hand (the records are kept in .aibrain/state.db and written once it is fixed)`,
        ExitCode.badInput,
      );
    }
    const body = fresh.map((r) => indent(r.json)).join(',\n');
    const insert = Buffer.from(`${end.empty ? '' : ','}\n${body}\n  ]\n}\n`);
    const at = start + end.offset;
    faultPoint('write:deployments.json:before');
    writeAll(fd, insert, at);
    ftruncateSync(fd, at + insert.length);
    fsyncSync(fd);
    faultPoint('write:deployments.json:after');
    return records.map((r) => r.id);
  } finally {
    closeSync(fd);
  }
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

/** The file open for reading and writing; created (atomically, empty) when missing. */
function openForAppend(file: string): number {
  const fd = openRegularFile(file);
  if (fd !== undefined) return fd;
  writeFileAtomic(file, EMPTY);
  return openRegularFile(file) ?? openForAppend(file);
}

const isSpace = (byte: number | undefined): boolean => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;

/**
 * Where the last record ends in a tail ending `] }` (whitespace allowed between): the byte offset
 * just after the last non-blank byte before the `]`, and whether that byte is the array's `[`.
 */
function findRecordsEnd(tail: Buffer): { offset: number; empty: boolean } | undefined {
  let i = tail.length - 1;
  while (isSpace(tail[i])) i--;
  if (tail[i] !== 0x7d) return undefined; // }
  i--;
  while (isSpace(tail[i])) i--;
  if (tail[i] !== 0x5d) return undefined; // ]
  i--;
  while (isSpace(tail[i])) i--;
  if (i < 0) return undefined;
  return { offset: i + 1, empty: tail[i] === 0x5b }; // [
}

function writeAll(fd: number, data: Buffer, position: number): void {
  let done = 0;
  while (done < data.length) done += writeSync(fd, data, done, data.length - done, position + done);
}

function indent(json: string): string {
  return json
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}
