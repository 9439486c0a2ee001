import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { scanPaths } from '../../src/guardrails/index.js';

// The reproductions: input the scanner cannot read must never pass clean.
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function folder(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'al-closed-'));
  dirs.push(dir);
  return dir;
}

async function scanBytes(name: string, bytes: Buffer | string): Promise<{ found: string[]; notScanned: string[]; scanned: number }> {
  const dir = folder();
  writeFileSync(path.join(dir, name), bytes);
  const result = await scanPaths([path.join(dir, name)]);
  return {
    found: result.findings.map((f) => `${f.line} ${f.rule}${f.rule === 'unparsed-sql' ? '' : ''}`),
    notScanned: result.notScanned.map((n) => `${path.basename(n.file)}: ${n.reason}`),
    scanned: result.filesScanned,
  };
}

const DROP = 'SELECT 1;\nDROP TABLE users;\n';

describe('fail closed', () => {
  it('reads UTF-16 and UTF-32 by their byte order mark, and UTF-16 without one', async () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(DROP, 'utf16le')]);
    const be = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(DROP, 'utf16le').swap16()]);
    const bare = Buffer.from(DROP, 'utf16le');
    const u32 = Buffer.alloc(4 + DROP.length * 4);
    u32.writeUInt32LE(0xfeff, 0);
    [...DROP].forEach((c, i) => u32.writeUInt32LE(c.codePointAt(0) ?? 0, 4 + i * 4));
    for (const bytes of [le, be, bare, u32]) {
      expect((await scanBytes('m.sql', bytes)).found).toEqual(['2 drop-table']);
    }
  });

  it('reads CR-only line endings as line ends: a -- comment does not swallow the file', async () => {
    expect((await scanBytes('m.sql', '-- clean up\rDROP TABLE users;\r')).found).toEqual(['2 drop-table']);
    expect((await scanBytes('m.sql', '-- clean up\r\nDROP TABLE users;\r\n')).found).toEqual(['2 drop-table']);
  });

  it("a MySQL '#' comment with an apostrophe does not open a string", async () => {
    expect((await scanBytes('m.sql', "# don't run this twice\nDROP TABLE users;\nCREATE INDEX i ON t (a);\n")).found).toEqual(['2 drop-table']);
  });

  it('an unterminated literal is reported, and reading resumes on the next line', async () => {
    expect((await scanBytes('m.sql', "INSERT INTO t VALUES ('it);\nDROP TABLE users;\n")).found).toEqual(['1 unparsed-sql', '2 drop-table']);
    expect((await scanBytes('m.sql', 'SELECT 1;\n/* never closed\nDROP TABLE users;\n')).found).toEqual(['2 unparsed-sql', '3 drop-table']);
  });

  it('10,000 unclosed parentheses then a DROP: reported, not passed', async () => {
    const { found } = await scanBytes('m.sql', `SELECT ${'('.repeat(10_000)}1;\nDROP TABLE users;\n`);
    expect(found).toEqual(['1 unparsed-sql', '2 drop-table']);
    expect((await scanBytes('m.sql', `${'('.repeat(10_000)}\nDROP TABLE users;\n`)).found).toContain('1 unparsed-sql');
  });

  it('text that does not start a SQL statement is reported', async () => {
    expect((await scanBytes('m.sql', 'SELECT 1;\nthis is not sql;\n')).found).toEqual(['2 unparsed-sql']);
  });

  it('binary files: a .sql one is a finding, one named explicitly is reported as not scanned', async () => {
    const binary = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3, 0, 0, 0, 9, 0xff, 0, 7]);
    expect(await scanBytes('m.sql', binary)).toMatchObject({ found: ['1 unreadable-file'], scanned: 0 });
    const png = await scanBytes('logo.png', binary);
    expect(png).toMatchObject({ found: [], scanned: 0, notScanned: ['logo.png: binary content, not scanned'] });
    const dir = folder();
    mkdirSync(path.join(dir, 'db'));
    writeFileSync(path.join(dir, 'db', 'x.bin'), binary);
    writeFileSync(path.join(dir, 'db', 'bad.sql'), binary);
    const walked = await scanPaths([path.join(dir, 'db')]);
    expect(walked.findings.map((f) => [path.basename(f.file), f.rule, f.target])).toEqual([['bad.sql', 'unreadable-file', 'binary content (zero bytes, no text encoding recognised)']]);
    expect(walked.notScanned.map((n) => path.basename(n.file))).toEqual(['bad.sql']);
  });

  it('unread text is CRITICAL in production', async () => {
    const dir = folder();
    writeFileSync(path.join(dir, 'm.sql'), 'SELECT 1;\nnonsense;\n');
    const { findings } = await scanPaths([path.join(dir, 'm.sql')], { environment: 'production' });
    expect(findings.map((f) => f.severity)).toEqual(['CRITICAL']);
  });

  it('statements the Postgres parser rejects are listed as parse errors', async () => {
    const dir = folder();
    writeFileSync(path.join(dir, 'm.sql'), 'SELECT 1;\nALTER TABLE t DROP COLUMN c c;\n');
    const { findings, parseErrors } = await scanPaths([path.join(dir, 'm.sql')]);
    expect(findings.map((f) => f.rule)).toEqual(['drop-column']);
    expect([...parseErrors]).toEqual([{ file: path.join(dir, 'm.sql'), line: 2, message: expect.stringContaining('syntax error') }]);
  });
});
