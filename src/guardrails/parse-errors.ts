// Where a parser rejected a statement and the tokenizer read it instead, held compactly: a T-SQL
// file of 600k `GO` lines has as many, alike but for their line. As objects they were ~56 bytes
// each plus the array, twice over at the end of that file (the file's and scanPaths'), the largest
// part of its scan (50 MB file: peak 176 MB, 3.5x). Here a line is 4 bytes and the (file, message)
// pairs are held once, in runs. Read back as objects, in the order added.

export interface ParseError {
  file: string;
  line: number;
  message: string;
}

export class ParseErrorList implements Iterable<ParseError> {
  private lines = new Int32Array(64);
  private count = 0;
  /** Runs of one (file, message) pair: its index, how many lines; in the order added. */
  private readonly runs: number[] = [];
  private readonly pairs: { file: string; message: string }[] = [];
  private readonly pairAt = new Map<string, number>();

  get length(): number {
    return this.count;
  }

  add(file: string, line: number, message: string): void {
    this.push(this.kindOf(file, message), line);
  }

  /** The same message at many lines (no object per line). */
  addLines(file: string, message: string, lines: readonly number[]): void {
    const kind = this.kindOf(file, message);
    for (const line of lines) this.push(kind, line);
  }

  /** Another list's errors, named as being in `file`. */
  addList(other: ParseErrorList, file: string): void {
    const kinds = other.pairs.map((p) => this.kindOf(file, p.message));
    let at = 0;
    for (let r = 0; r < other.runs.length; r += 2) {
      const kind = kinds[other.runs[r] ?? 0] ?? 0;
      const n = other.runs[r + 1] ?? 0;
      for (let i = 0; i < n; i++) this.push(kind, other.lines[at + i] ?? 0);
      at += n;
    }
  }

  *[Symbol.iterator](): Generator<ParseError, void> {
    let at = 0;
    for (let r = 0; r < this.runs.length; r += 2) {
      const pair = this.pairs[this.runs[r] ?? 0];
      const n = this.runs[r + 1] ?? 0;
      if (pair) for (let i = 0; i < n; i++) yield { file: pair.file, line: this.lines[at + i] ?? 0, message: pair.message };
      at += n;
    }
  }

  /** As JSON: the array of objects it stands for. */
  toJSON(): ParseError[] {
    return [...this];
  }

  private push(kind: number, line: number): void {
    if (this.count === this.lines.length) {
      const grown = new Int32Array(this.lines.length * 2);
      grown.set(this.lines);
      this.lines = grown;
    }
    this.lines[this.count++] = line;
    const last = this.runs.length - 2;
    if (last >= 0 && this.runs[last] === kind) this.runs[last + 1] = (this.runs[last + 1] ?? 0) + 1;
    else this.runs.push(kind, 1);
  }

  private kindOf(file: string, message: string): number {
    const key = `${file}\u0000${message}`;
    let kind = this.pairAt.get(key);
    if (kind === undefined) {
      kind = this.pairs.length;
      this.pairs.push({ file, message });
      this.pairAt.set(key, kind);
    }
    return kind;
  }
}
