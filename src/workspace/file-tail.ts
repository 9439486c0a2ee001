import { closeSync, constants, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { ExitCode, LoopError } from '../errors.js';

/**
 * How far back from the end of an append-only record file a record already written is looked
 * for: the records a resumed run may have written before it died are the newest ones.
 */
export const DEDUP_WINDOW = 1 << 20;

/**
 * Opens a regular file for reading and writing, or returns undefined when there is none. A device,
 * pipe or socket in its place (which would block, or never end) is refused with a LoopError.
 */
export function openRegularFile(file: string): number | undefined {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDWR | constants.O_NONBLOCK);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const stat = fstatSync(fd);
  if (stat.isFile()) return fd;
  closeSync(fd);
  throw new LoopError(`${file}: not a regular file (a device, a pipe or a socket): put a file there, or remove it, and run again`, ExitCode.badInput);
}

/** The last `bytes` bytes of an open file (all of it when shorter), and where they start. */
export function readTail(fd: number, bytes: number): { start: number; tail: Buffer } {
  const size = fstatSync(fd).size;
  const start = Math.max(0, size - bytes);
  const buf = Buffer.alloc(size - start);
  let done = 0;
  while (done < buf.length) {
    const n = readSync(fd, buf, done, buf.length - done, start + done);
    if (n === 0) break;
    done += n;
  }
  return { start, tail: buf.subarray(0, done) };
}

/** Writes all of `data` at `position` (at the end, for a file opened to append, when omitted); a short write goes on. */
export function writeAll(fd: number, data: Buffer, position?: number): void {
  let done = 0;
  while (done < data.length) done += writeSync(fd, data, done, data.length - done, position === undefined ? null : position + done);
}
