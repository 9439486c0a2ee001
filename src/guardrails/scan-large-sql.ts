import type { FileScanInput, FileScanResult } from './file-scan.js';
import { NotUtf8, readUtf8Pieces } from './read-text-pieces.js';
import { readFolderDialect } from './sql/detect-dialect.js';
import { CHUNK_CHARS, scanSqlChunked } from './sql/scan-sql-chunked.js';

// A large SQL file is read and scanned chunk by chunk (sql/scan-sql-chunked.ts): its bytes, its
// text and its statements are never all in memory at once. Undefined when the file is one the
// whole-text reading must take (not UTF-8, templated, maybe MySQL, SQLite): read it whole then.

/**
 * Bytes from which a SQL file is scanned in chunks; -1: never (tests set both). Below it the file's
 * text is small beside Node itself (~50 MB), and the whole-text scan costs less CPU (measured at
 * 5 MB: 1.37 s / 124 MB whole, 1.58 s / 150 MB in chunks; V8 is told to keep its heap small from
 * 8 MiB on, scan-paths.ts).
 */
let chunkedFrom = 8 * 1024 * 1024;
let chunkChars = CHUNK_CHARS;

/** For tests: scan SQL files from `fromBytes` in chunks of `chars` characters (-1: never). */
export function useChunkedScan(fromBytes: number, chars = CHUNK_CHARS): void {
  chunkedFrom = fromBytes;
  chunkChars = chars;
}

/** Whether a SQL file of this size is scanned in chunks. */
export function scansInChunks(bytes: number): boolean {
  return chunkedFrom >= 0 && bytes >= chunkedFrom;
}

/** `keepAdditions`: whether a down migration will ask what this file created and added. */
export function scanLargeSqlFile(input: Omit<FileScanInput, 'text'> & { absolute: string }, keepAdditions: boolean): FileScanResult | undefined {
  const pieces = readUtf8Pieces(input.absolute);
  if (!pieces) return undefined;
  const hint = input.options.dialect ? undefined : readFolderDialect(input.absolute);
  try {
    const result = scanSqlChunked({ ...input, keepAdditions, ...(hint ? { dialectHint: hint } : {}) }, pieces, chunkChars);
    return result && { findings: result.findings, created: result.created, added: result.added, parseErrors: result.rejected };
  } catch (e) {
    if (e instanceof NotUtf8) return undefined;
    throw e;
  } finally {
    pieces.return();
  }
}
