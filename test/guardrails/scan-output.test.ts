import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { StreamedOutput, formatJsonTail } from '../../src/cli/commands/scan-output.js';
import { ParseErrorList } from '../../src/guardrails/parse-errors.js';

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

  it('parse errors held compactly read back as the objects added, in order, and write as the array would', () => {
    const list = new ParseErrorList();
    const expected: { file: string; line: number; message: string }[] = [];
    list.add('a.sql', 3, 'syntax error at "x"');
    expected.push({ file: 'a.sql', line: 3, message: 'syntax error at "x"' });
    list.addLines('a.sql', "T-SQL batch separator 'GO' read as the end of a statement", [5, 9, 12]);
    for (const line of [5, 9, 12]) expected.push({ file: 'a.sql', line, message: "T-SQL batch separator 'GO' read as the end of a statement" });
    list.add('a.sql', 20, 'syntax error at "x"');
    expected.push({ file: 'a.sql', line: 20, message: 'syntax error at "x"' });
    const own = new ParseErrorList();
    own.add('other', 7, 'm1');
    own.addLines('other', 'm2', [8, 9]);
    list.addList(own, 'dir/b.sql');
    expected.push({ file: 'dir/b.sql', line: 7, message: 'm1' }, { file: 'dir/b.sql', line: 8, message: 'm2' }, { file: 'dir/b.sql', line: 9, message: 'm2' });
    expect([...list]).toEqual(expected);
    expect(list.length).toBe(expected.length);
    expect(JSON.stringify(list)).toBe(JSON.stringify(expected));
    const rest = { files_scanned: 2, not_scanned: [], parse_errors: list };
    expect([...formatJsonTail(rest)].join('')).toBe(JSON.stringify({ ...rest, parse_errors: expected }, null, 2).slice(2));
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
