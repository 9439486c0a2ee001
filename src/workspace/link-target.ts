import { lstatSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { ExitCode, LoopError } from '../errors.js';

/**
 * A file of the workspace that is a symlink (a queue file, a record file) is written through to
 * its target when that target is inside the workspace; a link leading out of it, or nowhere, is
 * refused before anything is written (exit 2).
 */
export function refuseLinkOutside(file: string, root: string, what = 'file'): void {
  let isLink = false;
  try {
    isLink = lstatSync(file).isSymbolicLink();
  } catch {
    return;
  }
  if (!isLink) return;
  let target: string;
  try {
    target = realpathSync(file);
  } catch {
    target = '(a link that leads nowhere)';
  }
  const inside = realpathSync(root);
  if (target.startsWith(inside + path.sep)) return;
  throw new LoopError(`${file}: a symlink to ${target}, outside the workspace: refused (put a regular ${what} there, or a link to one inside the workspace)`, ExitCode.badInput);
}
