import { ExitCode, LoopError } from '../errors.js';

// What a failed read or write of the workspace's files means for the person running the loop,
// by error code (Node's errno codes and SQLite's), and what to do about it. The storage itself
// failing (full, read-only, refused, I/O) is exit 5 (DESIGN); a path that cannot be used is bad
// input (exit 2).
const STORAGE_FAILED = /^(ENOSPC|EDQUOT|SQLITE_FULL|EROFS|SQLITE_READONLY.*|EACCES|EPERM|SQLITE_PERM|SQLITE_AUTH|EIO|SQLITE_IOERR.*|SQLITE_CORRUPT.*|SQLITE_NOTADB|EMFILE|ENFILE|SQLITE_BUSY.*|SQLITE_LOCKED.*)$/;
const HINTS: [RegExp, string][] = [
  [/^(ENOSPC|EDQUOT|SQLITE_FULL)$/, 'the disk is full: free some space and run again (what was recorded before is kept; the run resumes where it stopped)'],
  [/^(EROFS|SQLITE_READONLY.*)$/, 'the file system is read-only: make it writable (or use --root elsewhere) and run again'],
  [/^(EACCES|EPERM|SQLITE_PERM|SQLITE_AUTH)$/, 'permission denied: make it writable for this user and run again'],
  [/^(ENOTDIR|EEXIST)$/, 'a file stands where a folder belongs on that path: move it away and run again'],
  [/^EISDIR$/, 'a folder stands where a file belongs: move it away and run again'],
  [/^(ELOOP|ENAMETOOLONG|ENOENT)$/, 'the path cannot be used: check the folders on it and run again'],
  [/^(EIO|SQLITE_IOERR.*|SQLITE_CORRUPT.*|SQLITE_NOTADB)$/, 'an I/O error: check the disk (and the file) and run again'],
  [/^SQLITE_CANTOPEN.*$/, 'check that it is a file (not a folder) this user may write, in a folder that exists'],
  [/^(EMFILE|ENFILE)$/, 'too many open files: raise the limit (ulimit -n) and run again'],
];

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** An error of SQLite itself (its codes are SQLITE_*): the loop's state store, never a task's doing. */
export function isStateStoreError(error: unknown): boolean {
  return codeOf(error)?.startsWith('SQLITE_') ?? false;
}

/** The hint for a storage error's code, or undefined when the error is not about storage. */
export function storageHint(error: unknown): string | undefined {
  const code = codeOf(error);
  if (code === undefined) return undefined;
  return HINTS.find(([pattern]) => pattern.test(code))?.[1];
}

/** Whether an error is the storage failing (exit 5) rather than a path that cannot be used (exit 2). */
export function isStorageFailure(error: unknown): boolean {
  const code = codeOf(error);
  return code !== undefined && STORAGE_FAILED.test(code);
}

/**
 * A storage error as the one line a person reads (exit 5 when the storage failed, 2 when the
 * path cannot be used): the file, what failed, the code and what to do. Undefined when `error`
 * is not a storage error (a bug stays a bug).
 */
export function toStorageError(error: unknown, file: string, action: string): LoopError | undefined {
  if (error instanceof LoopError) return error;
  const hint = storageHint(error);
  if (hint === undefined) return undefined;
  const where = (error as { path?: unknown }).path;
  const target = typeof where === 'string' && where !== '' ? where : file;
  return new LoopError(`${target}: cannot ${action} (${codeOf(error)}): ${hint}`, isStorageFailure(error) ? ExitCode.storageFailed : ExitCode.badInput);
}
