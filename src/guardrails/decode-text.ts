import { closeSync, openSync, readSync } from 'node:fs';

// A file's bytes as text, or why they cannot be read: a safety scanner that passed what it could
// not read would be worse than none. UTF-8, UTF-16 and UTF-32 are told by their byte order mark
// (UTF-16 also by its pattern of zero bytes); text that is not valid UTF-8 is read as Latin-1 so
// its keywords still count. A lone CR ends a line, like LF, so a `--` comment never swallows a
// file written with old Mac line endings; CRLF is left as it is (the CR is whitespace).

export type DecodedText = { text: string; encoding: string } | { error: string };

const SAMPLE = 8000;

export function decodeText(bytes: Buffer): DecodedText {
  const decoded = decodeBytes(bytes);
  if ('error' in decoded) return decoded;
  const text = decoded.text.includes('\r') ? decoded.text.replace(/\r(?!\n)/g, '\n') : decoded.text;
  return { text, encoding: decoded.encoding };
}

function decodeBytes(bytes: Buffer): DecodedText {
  const [b0, b1, b2, b3] = [bytes[0], bytes[1], bytes[2], bytes[3]];
  if (b0 === 0xef && b1 === 0xbb && b2 === 0xbf) return decodeUtf8(bytes.subarray(3));
  if (b0 === 0xff && b1 === 0xfe && b2 === 0 && b3 === 0) return decodeUtf32(bytes.subarray(4), true);
  if (b0 === 0 && b1 === 0 && b2 === 0xfe && b3 === 0xff) return decodeUtf32(bytes.subarray(4), false);
  if (b0 === 0xff && b1 === 0xfe) return { text: bytes.toString('utf16le', 2), encoding: 'utf-16le' };
  if (b0 === 0xfe && b1 === 0xff) return { text: swapBytes(bytes.subarray(2)).toString('utf16le'), encoding: 'utf-16be' };
  const sample = bytes.subarray(0, SAMPLE);
  if (!sample.includes(0)) return decodeUtf8(bytes);
  const zeros = countZeros(sample);
  // UTF-16 without a BOM: mostly ASCII text has a zero in every other byte, on one side only.
  if (sample.length >= 4 && zeros.odd > sample.length * 0.4 && zeros.even === 0) return { text: bytes.toString('utf16le'), encoding: 'utf-16le' };
  if (sample.length >= 4 && zeros.even > sample.length * 0.4 && zeros.odd === 0) return { text: swapBytes(bytes).toString('utf16le'), encoding: 'utf-16be' };
  return { error: 'binary content (zero bytes, no text encoding recognised)' };
}

function decodeUtf8(bytes: Buffer): DecodedText {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    return { text: bytes.toString('latin1'), encoding: 'latin1' };
  }
}

function decodeUtf32(bytes: Buffer, littleEndian: boolean): DecodedText {
  if (bytes.length % 4 !== 0) return { error: 'UTF-32 byte order mark, but the length is not a multiple of 4 bytes' };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i += 4) {
    const cp = view.getUint32(i, littleEndian);
    if (cp > 0x10ffff) return { error: `not valid UTF-32 (code point 0x${cp.toString(16)} at byte ${i + 4})` };
    parts.push(String.fromCodePoint(cp));
  }
  return { text: parts.join(''), encoding: littleEndian ? 'utf-32le' : 'utf-32be' };
}

function swapBytes(bytes: Buffer): Buffer {
  const even = bytes.length - (bytes.length % 2);
  const copy = Buffer.from(bytes.subarray(0, even));
  return copy.swap16();
}

function countZeros(sample: Buffer): { even: number; odd: number } {
  let even = 0;
  let odd = 0;
  for (let i = 0; i < sample.length; i++) {
    if (sample[i] === 0) {
      if (i % 2 === 0) even++;
      else odd++;
    }
  }
  return { even, odd };
}

/** The first `bytes` of a file as UTF-8: enough to tell what it is without reading it all. */
export function readFileHead(file: string, bytes: number): string {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const n = readSync(fd, buf, 0, bytes, 0);
    return buf.toString('utf8', 0, n);
  } finally {
    closeSync(fd);
  }
}
