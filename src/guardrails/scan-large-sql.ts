import type { FileScanInput, FileScanResult } from './file-scan.js';
import { NotUtf8, readUtf8Pieces, readsAsUtf8, readsInPieces } from './read-text-pieces.js';
import { readFolderDialect } from './sql/detect-dialect.js';
import { CHUNK_CHARS, scanSqlChunked } from './sql/scan-sql-chunked.js';

// A large SQL file is read and scanned chunk by chunk (sql/scan-sql-chunked.ts): its bytes, its
// text and its statements are never all in memory at once. A file whose bytes are not UTF-8 is
// read as Latin-1, as decodeText reads it (a quick pass over its bytes tells first); UTF-16 is
// read in pieces too. Undefined when the file is one the whole-file reading must take (UTF-32,
// binary content): read it whole then.

/**
 * Bytes from which a SQL file is scanned in chunks; -1: never (tests set both). A file of one chunk
 * or less is read whole (the small files of a migrations folder: nothing to save). From there on
 * every size takes the same path, so 10x the size takes 10x the time (at 8 MiB, as before, a 5 MB
 * file was read whole and a 50 MB one in chunks: 11-20x the time for 10x the size).
 */
let chunkedFrom = CHUNK_CHARS;
let chunkChars = CHUNK_CHARS;
/** Bytes read at a time (undefined: readUtf8Pieces' own). */
let pieceBytes: number | undefined;

/** For tests: scan SQL files from `fromBytes` in chunks of `chars` characters (-1: never), read `bytes` at a time. */
export function useChunkedScan(fromBytes: number, chars = CHUNK_CHARS, bytes?: number): void {
  chunkedFrom = fromBytes;
  chunkChars = chars;
  pieceBytes = bytes;
}

/** Whether a SQL file of this size is scanned in chunks. */
export function scansInChunks(bytes: number): boolean {
  return chunkedFrom >= 0 && bytes >= chunkedFrom;
}

/** `keepAdditions`: whether a down migration will ask what this file created and added. */
export function scanLargeSqlFile(input: Omit<FileScanInput, 'text'> & { absolute: string }, keepAdditions: boolean): FileScanResult | undefined {
  if (!readsInPieces(input.absolute)) return undefined;
  const hint = input.options.dialect ? undefined : readFolderDialect(input.absolute);
  const given = { ...input, keepAdditions, packFindings: true, ...(hint ? { dialectHint: hint } : {}) };
  const open = (latin1: boolean) => (): Iterator<string> => {
    const pieces = readUtf8Pieces(input.absolute, pieceBytes, latin1);
    if (!pieces) throw new Error(`${input.file}: changed while it was read`);
    return pieces;
  };
  // Bytes that are not UTF-8 make the whole text Latin-1: found first (a quick pass), not after a scan.
  const latin1 = !readsAsUtf8(input.absolute);
  let result;
  try {
    result = scanSqlChunked(given, open(latin1), chunkChars);
  } catch (e) {
    if (!(e instanceof NotUtf8)) throw e; // changed since it was read through
    result = scanSqlChunked(given, open(true), chunkChars);
  }
  return { findings: result.findings, ...(result.packed ? { findingParts: result.packed } : {}), created: result.created, added: result.added, parseErrors: result.rejected };
}
