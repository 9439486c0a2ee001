// Where a parser rejected a statement and the tokenizer read it instead, held compactly: a T-SQL
// file of 600k `GO` lines has as many, alike but for their line. As objects they were ~56 bytes
// each and the largest part of that file's scan (50 MB file: peak 170 MB, 3.4x); here each is a
// line and the index of its (file, message) pair. Read back as objects, in the order added.

export interface ParseError {
  file: string;
  line: number;
  message: string;
}

export class ParseErrorList implements Iterable<ParseError> {
  private readonly lines: number[] = [];
  private readonly kinds: number[] = [];
  private readonly pairs: { file: string; message: string }[] = [];
  private readonly pairAt = new Map<string, number>();

  get length(): number {
    return this.lines.length;
  }

  add(file: string, line: number, message: string): void {
    this.lines.push(line);
    this.kinds.push(this.kindOf(file, message));
  }

  /** The same message at many lines (no object per line). */
  addLines(file: string, message: string, lines: readonly number[]): void {
    const kind = this.kindOf(file, message);
    for (const line of lines) {
      this.lines.push(line);
      this.kinds.push(kind);
    }
  }

  /** Another list's errors, named as being in `file`. */
  addList(other: ParseErrorList, file: string): void {
    const kinds = other.pairs.map((p) => this.kindOf(file, p.message));
    for (let i = 0; i < other.lines.length; i++) {
      this.lines.push(other.lines[i] ?? 0);
      this.kinds.push(kinds[other.kinds[i] ?? 0] ?? 0);
    }
  }

  *[Symbol.iterator](): Generator<ParseError, void> {
    for (let i = 0; i < this.lines.length; i++) {
      const pair = this.pairs[this.kinds[i] ?? 0];
      if (pair) yield { file: pair.file, line: this.lines[i] ?? 0, message: pair.message };
    }
  }

  /** As JSON: the array of objects it stands for. */
  toJSON(): ParseError[] {
    return [...this];
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
