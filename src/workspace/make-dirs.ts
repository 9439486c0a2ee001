import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';

/**
 * `mkdir -p` that fails with the real reason: Node's recursive mkdir says ENOENT where the file
 * system is read-only (or refuses the folder), which would read as "the path cannot be used". The
 * first folder missing is then made on its own, and its error (EROFS, EACCES, ENOSPC…) is thrown.
 */
export function makeDirs(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    if ((e as { code?: unknown } | null)?.code !== 'ENOENT') throw e;
    let missing = path.resolve(dir);
    while (path.dirname(missing) !== missing && !existsSync(path.dirname(missing))) missing = path.dirname(missing);
    mkdirSync(missing);
    throw e;
  }
}
