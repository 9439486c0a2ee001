import { closeSync, fsyncSync, ftruncateSync, openSync, readFileSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { ExitCode, LoopError } from '../errors.js';
import { faultPoint } from '../workspace/fault-point.js';
import { DEDUP_WINDOW, openRegularFile, readTail, writeAll } from '../workspace/file-tail.js';
import { writeFileAtomic } from '../workspace/write-file-atomic.js';

const EMPTY = '{\n  "deployments": []\n}\n';

/**
 * Appends records to `{"deployments": [...]}` without reading or rewriting what is there: the
 * tail of the file is read, and the new records replace the closing `]}` in place. The cost is
 * that of the new records, whatever the history. Atomic by a redo journal: the patch is written
 * and fsynced beside the file first, then applied and fsynced, then the journal removed; a patch
 * cut off by a crash or a power cut is applied again by the next append.
 * Records already in the last megabyte of the file (by id) are not added again: a resumed run,
 * whose unwritten records are the newest, never duplicates one. The caller serialises writers.
 * Returns the ids written.
 */
export function appendDeploymentRecords(file: string, records: readonly { id: string; json: string }[]): string[] {
  const fd = openForAppend(file);
  try {
    replayJournal(file, fd);
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
    writeJournal(file, at, insert);
    faultPoint('write:deployments.json:before');
    applyPatch(fd, at, insert);
    faultPoint('write:deployments.json:applied');
    unlinkSync(journalPath(file));
    faultPoint('write:deployments.json:after');
    return records.map((r) => r.id);
  } finally {
    closeSync(fd);
  }
}

/** The file open for reading and writing; created (atomically, empty) when missing. */
function openForAppend(file: string): number {
  const fd = openRegularFile(file);
  if (fd !== undefined) return fd;
  writeFileAtomic(file, EMPTY);
  return openForAppend(file);
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

function applyPatch(fd: number, at: number, data: Buffer): void {
  writeAll(fd, data, at);
  ftruncateSync(fd, at + data.length);
  fsyncSync(fd);
}

// The journal: a line `<offset> <length>` and then the bytes that go at that offset (the file ends after them).
const journalPath = (file: string): string => path.join(path.dirname(file), `.${path.basename(file)}.journal`);

function writeJournal(file: string, at: number, data: Buffer): void {
  const fd = openSync(journalPath(file), 'w');
  try {
    writeAll(fd, Buffer.concat([Buffer.from(`${at} ${data.length}\n`), data]), 0);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Applies a journal left by an append that was cut off; one that was itself cut off is dropped (the file was not touched yet). */
function replayJournal(file: string, fd: number): void {
  const journal = journalPath(file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(journal);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  const newline = bytes.indexOf(0x0a);
  const header = /^(\d+) (\d+)$/.exec(bytes.subarray(0, Math.max(newline, 0)).toString('latin1'));
  if (header && bytes.length === newline + 1 + Number(header[2])) applyPatch(fd, Number(header[1]), bytes.subarray(newline + 1));
  unlinkSync(journal);
}

function indent(json: string): string {
  return json
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}
