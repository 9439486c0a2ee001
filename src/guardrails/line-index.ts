// Offsets to 1-based line numbers. Offsets are UTF-16 indexes into the JS string (what the
// lexers produce), never bytes; byte offsets from the Postgres parser are converted first.
export class LineIndex {
  /** Offsets where lines start, found so far (the text is read only as far as it is asked about). */
  private readonly starts = [0];
  private scannedTo = 0;

  constructor(readonly text: string) {}

  lineOf(offset: number): number {
    this.scanTo(offset);
    return lineNumberAt(this.starts, offset);
  }

  private scanTo(offset: number): void {
    while (this.scannedTo <= offset && this.scannedTo < this.text.length) {
      const nl = this.text.indexOf('\n', this.scannedTo);
      if (nl < 0) {
        this.scannedTo = this.text.length;
        return;
      }
      this.starts.push(nl + 1);
      this.scannedTo = nl + 1;
    }
  }
}

/** 1-based line of an offset, given the sorted offsets where lines start (the first is 0). */
export function lineNumberAt(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
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
