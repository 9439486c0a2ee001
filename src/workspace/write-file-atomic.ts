import { closeSync, fsyncSync, lstatSync, openSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { faultPoint } from './fault-point.js';

let counter = 0;

/**
 * Writes through a temp file in the same folder, fsyncs it, then renames it over the target:
 * readers see the old file or the new one, never half of either. Keeps the file's mode. A symlink
 * is written through to the file it leads to (the link stays; whether a link may lead where it
 * does is its caller's to refuse first, as for records and the queue file).
 */
export function writeFileAtomic(linkOrFile: string, data: string, beforeRename?: () => boolean): boolean {
  const file = followLink(linkOrFile);
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${++counter}.tmp`);
  let mode = 0o644;
  try {
    mode = statSync(file).mode & 0o777;
  } catch {
    // a new file
  }
  let fd: number;
  try {
    fd = openSync(tmp, 'w', mode);
  } catch (e) {
    throw naming(e, file);
  }
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    safeUnlink(tmp);
    throw naming(e, file);
  }
  closeSync(fd);
  faultPoint(`write:${path.basename(file)}:before-rename`);
  // Compare-and-swap: the caller's last look at the file, as late as can be, before it is replaced.
  if (beforeRename && !beforeRename()) {
    safeUnlink(tmp);
    return false;
  }
  try {
    renameSync(tmp, file);
  } catch (e) {
    safeUnlink(tmp);
    throw naming(e, file);
  }
  faultPoint(`write:${path.basename(file)}:after`);
  return true;
}

function followLink(file: string): string {
  try {
    if (!lstatSync(file).isSymbolicLink()) return file;
  } catch {
    return file; // a new file
  }
  try {
    return realpathSync(file);
  } catch (e) {
    throw naming(e, file); // a link that leads nowhere
  }
}

function safeUnlink(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}

// A failed write names the file being replaced (a write error names none; an open error the temp file).
function naming(e: unknown, file: string): unknown {
  if (e !== null && typeof e === 'object') (e as NodeJS.ErrnoException).path = file;
  return e;
}
