import { Writable } from 'node:stream';
import { neutraliseControls } from '../log/terminal-text.js';

// Installs the output sanitiser on stdout and stderr: every write of the CLI passes it, whatever
// wrote it. The CLI's own cursor control (the live view, the prompts) goes through the two doors
// below, which write what they are given; no agent or task text is ever handed to them.

type Write = typeof process.stdout.write;
let rawStdoutWrite: Write | undefined;

export function guardTerminalOutput(): void {
  if (rawStdoutWrite) return;
  rawStdoutWrite = process.stdout.write.bind(process.stdout) as Write;
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : chunk instanceof Uint8Array ? Buffer.from(chunk).toString('utf8') : chunk;
      return original(typeof text === 'string' ? neutraliseControls(text) : text, ...rest);
    }) as Write;
  }
}

/** The CLI's own control sequences (cursor up, clear below): written as they are. */
export function writeOwnControls(sequence: string): void {
  (rawStdoutWrite ?? process.stdout.write.bind(process.stdout))(sequence);
}

/** For the prompt library, whose rendering moves the cursor: a stream that writes as it is given. */
export function promptOutput(): NodeJS.WritableStream {
  const out = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      (rawStdoutWrite ?? process.stdout.write.bind(process.stdout))(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
      done();
    },
  });
  Object.defineProperties(out, {
    isTTY: { get: () => process.stdout.isTTY },
    columns: { get: () => process.stdout.columns },
    rows: { get: () => process.stdout.rows },
  });
  return out;
}
