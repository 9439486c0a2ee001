import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { ExitCode, LoopError } from '../errors.js';

/**
 * A file's text, or undefined when there is none. A device, pipe or socket in its place would
 * block or never end (/dev/zero, /dev/full read forever): refused with a LoopError naming it.
 */
export function readRegularFile(file: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw Object.assign(new Error(`EISDIR: illegal operation on a directory, read`), { code: 'EISDIR', path: file });
    if (!stat.isFile()) throw new LoopError(`${file}: not a regular file (a device, a pipe or a socket): put a file there, or remove it, and run again`, ExitCode.badInput);
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}
