import { once } from 'node:events';
import type { Writable } from 'node:stream';

// `scan --json` is written as it is found, and never faster than the reader takes it: a pipe's
// writes are queued in memory once the pipe is full (Node writes pipes asynchronously), and a large
// file's findings come in one burst at its end — 94k findings of a 50 MB MySQL file queued ~85 MB
// (measured: peak RSS 225 MB through a pipe, 142 MB into a file). So text is gathered into pieces
// of BATCH characters, and after a piece the stream takes, the writer waits for it to drain.

const BATCH = 64 * 1024;

export class StreamedOutput {
  private pending = '';

  constructor(private readonly out: Writable) {}

  /** Adds text; when a full piece was written and the stream holds more than it wants, a promise to wait for (else nothing: no await per finding). */
  write(text: string): Promise<void> | undefined {
    this.pending += text;
    return this.pending.length >= BATCH ? this.flush() : undefined;
  }

  /** Writes what was gathered, and waits until the stream has taken it in. */
  async flush(): Promise<void> {
    const text = this.pending;
    this.pending = '';
    if (text.length > 0 && !this.out.write(text)) await once(this.out, 'drain');
  }
}

/**
 * The end of `scan --json` after the findings, exactly as `JSON.stringify(rest, null, 2).slice(2)`
 * writes it, in pieces: a file of 600k T-SQL `GO` lines has as many parse errors (~75 MB as one string).
 */
export function* formatJsonTail(rest: {
  files_scanned: number;
  not_scanned: unknown[];
  parse_errors: Iterable<{ file: string; line: number; message: string }> & { length: number };
}): Generator<string, void> {
  const errors = rest.parse_errors;
  const head = JSON.stringify({ ...rest, parse_errors: [] }, null, 2).slice(2);
  if (errors.length === 0) {
    yield head;
    return;
  }
  // head ends `"parse_errors": []\n}`: the array is written element by element, indented as JSON.stringify indents it
  yield `${head.slice(0, -4)}[\n`;
  let first = true;
  for (const e of errors) {
    yield `${first ? '' : ',\n'}    ${JSON.stringify(e, null, 2).replaceAll('\n', '\n    ')}`;
    first = false;
  }
  yield '\n  ]\n}';
}
