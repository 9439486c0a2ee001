import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { StreamedOutput, formatJsonTail } from '../../src/cli/commands/scan-output.js';

// `scan --json` is written in pieces at the reader's pace (src/cli/commands/scan-output.ts): the
// text must be byte for byte what one JSON.stringify gave, and the writer must not run ahead of a
// slow reader (a pipe's writes queue in memory).

describe('scan --json output', () => {
  it('the tail after the findings is JSON.stringify(rest, null, 2) without its first "{\\n", written in pieces', () => {
    const errors = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ file: i % 2 ? 'a "quoted"\\path.sql' : 'b.sql', line: i + 1, message: i % 3 ? "T-SQL batch separator 'GO'" : 'syntax error at "x"\nnext line é ✓' }));
    const rests = [
      { files_scanned: 0, not_scanned: [], parse_errors: [] },
      { files_scanned: 3, not_scanned: [{ file: 'x.bin', reason: 'binary content, not scanned' }], parse_errors: [] },
      { files_scanned: 1, not_scanned: [], parse_errors: errors(1) },
      { files_scanned: 12, not_scanned: [{ file: 'y', reason: 'r' }, { file: 'z', reason: 's' }], parse_errors: errors(57) },
    ];
    for (const rest of rests) expect([...formatJsonTail(rest)].join('')).toBe(JSON.stringify(rest, null, 2).slice(2));
    expect([...formatJsonTail(rests[3] ?? rests[0]!)].length).toBeGreaterThan(57);
  });

  it('waits for a slow reader: what the stream holds stays near one piece, and all of it arrives in order', async () => {
    let most = 0;
    const got: string[] = [];
    const slow = new Writable({
      highWaterMark: 16 * 1024,
      write(chunk: Buffer, _enc, done) {
        got.push(chunk.toString());
        setTimeout(done, 1);
      },
    });
    const out = new StreamedOutput(slow);
    const line = `${'x'.repeat(300)}\n`;
    let sent = '';
    for (let i = 0; i < 8000; i++) {
      const text = `${i}:${line}`;
      sent += text;
      await out.write(text);
      most = Math.max(most, slow.writableLength);
    }
    await out.flush();
    expect(sent.length).toBeGreaterThan(2_000_000);
    expect(most).toBeLessThan(200 * 1024);
    await new Promise<void>((resolve) => slow.end(resolve));
    expect(got.join('')).toBe(sent);
  });
});
