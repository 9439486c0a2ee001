import { closeSync, openSync, readSync } from 'node:fs';

// A large file's text read piece by piece, so its bytes and its text never sit whole in memory:
// for UTF-8 files (with or without a byte order mark), decoded exactly as decodeText decodes the
// whole file (a lone CR becomes a line end). Bytes that turn out not to be UTF-8 are read again
// from the start as Latin-1, as decodeText reads them. UTF-16/32 and binary content are for the
// whole-file reading (decodeText), which tells them apart.

/** Bytes read at a time. */
const PIECE_BYTES = 1024 * 1024;
/** What decodeText samples for zero bytes (UTF-16 without a BOM, binary content). */
const SAMPLE = 8000;

/** Thrown while reading when the bytes are not UTF-8 after all: read the file whole instead. */
export class NotUtf8 extends Error {
  constructor(file: string) {
    super(`${file}: not UTF-8 text`);
  }
}

/**
 * The file's text in pieces (each a whole number of characters; a CR at a piece's end waits for
 * the next), or undefined when the file is not one decodeText would read as UTF-8 (or, that
 * failing, Latin-1). `latin1`: read as Latin-1 (the bytes were found not to be UTF-8).
 */
export function readUtf8Pieces(file: string, pieceBytes = PIECE_BYTES, latin1 = false): Generator<string, void> | undefined {
  const fd = openSync(file, 'r');
  let handedOver = false;
  try {
    const from = readTextStart(fd);
    if (from === undefined) return undefined;
    handedOver = true;
    return pieces(file, fd, from, Math.max(4, pieceBytes), latin1);
  } finally {
    if (!handedOver) closeSync(fd);
  }
}

/** Whether readUtf8Pieces reads the file (it is not UTF-16/32 or binary content); nothing is left open. */
export function readsInPieces(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    return readTextStart(fd) !== undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * Whether the file's bytes are UTF-8 throughout (read through once, nothing kept), so a scan reads
 * it once, decoded the right way, rather than finding out at its end and reading it all again.
 */
export function readsAsUtf8(file: string): boolean {
  try {
    const pieces = readUtf8Pieces(file);
    if (pieces) while (!pieces.next().done);
    return true;
  } catch (e) {
    if (e instanceof NotUtf8) return false;
    throw e;
  }
}

/** Where the text starts (past a UTF-8 byte order mark), or undefined when decodeText would not read it as UTF-8 or Latin-1. */
function readTextStart(fd: number): number | undefined {
  const head = Buffer.alloc(SAMPLE);
  const n = readSync(fd, head, 0, SAMPLE, 0);
  const [b0, b1, b2] = [head[0], head[1], head[2]];
  const bom = b0 === 0xef && b1 === 0xbb && b2 === 0xbf;
  if (!bom && (n < 2 || (b0 === 0xff && b1 === 0xfe) || (b0 === 0xfe && b1 === 0xff) || (b0 === 0 && b1 === 0))) return undefined;
  if (!bom && head.subarray(0, n).includes(0)) return undefined;
  return bom ? 3 : 0;
}

function* pieces(file: string, fd: number, from: number, pieceBytes: number, latin1: boolean): Generator<string, void> {
  const decoder = latin1 ? undefined : new TextDecoder('utf-8', { fatal: true });
  const bytes = Buffer.allocUnsafe(pieceBytes);
  let position = from;
  let heldCr = '';
  try {
    for (;;) {
      const n = readSync(fd, bytes, 0, pieceBytes, position);
      position += n;
      let text: string;
      try {
        text = heldCr + (decoder ? decoder.decode(bytes.subarray(0, n), { stream: n > 0 }) : bytes.toString('latin1', 0, n));
      } catch {
        throw new NotUtf8(file);
      }
      heldCr = '';
      if (n > 0 && text.endsWith('\r')) {
        heldCr = '\r';
        text = text.slice(0, -1);
      }
      if (text.includes('\r')) text = text.replace(/\r(?!\n)/g, '\n');
      if (text.length > 0) yield text;
      if (n === 0) return;
    }
  } finally {
    closeSync(fd);
  }
}
