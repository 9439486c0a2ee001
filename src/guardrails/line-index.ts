// Offsets to 1-based line numbers. Offsets are UTF-16 indexes into the JS string (what the
// lexers produce), never bytes; byte offsets from the Postgres parser are converted first.
export class LineIndex {
  private starts: number[] | undefined;

  constructor(readonly text: string) {}

  lineOf(offset: number): number {
    const starts = (this.starts ??= collectLineStarts(this.text));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  /** Offset of the first character of a 1-based line. */
  lineStart(line: number): number {
    const starts = (this.starts ??= collectLineStarts(this.text));
    return starts[Math.max(0, Math.min(line - 1, starts.length - 1))] ?? 0;
  }
}

function collectLineStarts(text: string): number[] {
  const starts = [0];
  let i = text.indexOf('\n');
  while (i >= 0) {
    starts.push(i + 1);
    i = text.indexOf('\n', i + 1);
  }
  return starts;
}

/** A UTF-8 byte offset into `text` as a string index (they differ once non-ASCII text comes before it). */
export function byteOffsetToIndex(text: string, byteOffset: number): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    if (bytes >= byteOffset) return i;
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return text.length;
}
