import { closeSync, openSync, readSync } from 'node:fs';

// A large file's text read piece by piece, so its bytes and its text never sit whole in memory:
// for UTF-8 files (with or without a byte order mark) and UTF-16 (by its byte order mark or its
// zero bytes), decoded exactly as decodeText decodes the whole file (a lone CR becomes a line end).
// Bytes that turn out not to be UTF-8 are read again from the start as Latin-1, as decodeText
// reads them. UTF-32 (rare, and its errors are known only at the end) and binary content are for
// the whole-file reading (decodeText), which tells them apart.

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
    const start = readTextStart(fd);
    if (start === undefined) return undefined;
    handedOver = true;
    return pieces(file, fd, start.from, Math.max(4, pieceBytes), start.encoding === 'utf-8' ? (latin1 ? 'latin1' : 'utf-8') : start.encoding);
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

type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be';

/** Where the text starts (past a byte order mark) and how it is encoded, or undefined when decodeText would not read it as UTF-8, Latin-1 or UTF-16. */
function readTextStart(fd: number): { from: number; encoding: Encoding } | undefined {
  const head = Buffer.alloc(SAMPLE);
  const n = readSync(fd, head, 0, SAMPLE, 0);
  const [b0, b1, b2, b3] = [head[0], head[1], head[2], head[3]];
  if (b0 === 0xef && b1 === 0xbb && b2 === 0xbf) return { from: 3, encoding: 'utf-8' };
  if (n < 2) return undefined;
  if ((b0 === 0xff && b1 === 0xfe && b2 === 0 && b3 === 0) || (b0 === 0 && b1 === 0 && b2 === 0xfe && b3 === 0xff)) return undefined; // UTF-32
  if (b0 === 0xff && b1 === 0xfe) return { from: 2, encoding: 'utf-16le' };
  if (b0 === 0xfe && b1 === 0xff) return { from: 2, encoding: 'utf-16be' };
  const sample = head.subarray(0, n);
  if (!sample.includes(0)) return { from: 0, encoding: 'utf-8' };
  // as decodeText tells UTF-16 without a byte order mark: a zero in every other byte, on one side only
  let even = 0;
  let odd = 0;
  for (let i = 0; i < n; i++) if (sample[i] === 0) i % 2 === 0 ? even++ : odd++;
  if (n >= 4 && odd > n * 0.4 && even === 0) return { from: 0, encoding: 'utf-16le' };
  if (n >= 4 && even > n * 0.4 && odd === 0) return { from: 0, encoding: 'utf-16be' };
  return undefined;
}

function* pieces(file: string, fd: number, from: number, pieceBytes: number, encoding: Encoding | 'latin1'): Generator<string, void> {
  const decoder = encoding === 'utf-8' ? new TextDecoder('utf-8', { fatal: true }) : undefined;
  const bytes = Buffer.allocUnsafe(pieceBytes);
  let position = from;
  let heldCr = '';
  try {
    for (;;) {
      let n = readSync(fd, bytes, 0, pieceBytes, position);
      // UTF-16: whole code units (a pair cut in two is two units, joined again in the text); a last odd byte is left, as decodeText leaves it
      if (encoding === 'utf-16le' || encoding === 'utf-16be') n -= n % 2;
      position += n;
      let text: string;
      try {
        text = heldCr + decode(bytes.subarray(0, n), encoding, decoder, n > 0);
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

function decode(bytes: Buffer, encoding: Encoding | 'latin1', decoder: InstanceType<typeof TextDecoder> | undefined, more: boolean): string {
  if (decoder) return decoder.decode(bytes, { stream: more });
  if (encoding === 'utf-16be') return bytes.swap16().toString('utf16le');
  return bytes.toString(encoding === 'utf-16le' ? 'utf16le' : 'latin1');
}
