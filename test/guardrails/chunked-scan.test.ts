import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeText } from '../../src/guardrails/decode-text.js';
import { scanPaths } from '../../src/guardrails/index.js';
import { readUtf8Pieces, readsAsUtf8 } from '../../src/guardrails/read-text-pieces.js';
import { type RuleSet, loadRulePacks } from '../../src/guardrails/rule-pack.js';
import { scanLargeSqlFile, useChunkedScan } from '../../src/guardrails/scan-large-sql.js';
import { loadPgParser } from '../../src/guardrails/sql/parse-postgres.js';
import { scanSqlChunked } from '../../src/guardrails/sql/scan-sql-chunked.js';
import { type SqlScanResult, scanSql } from '../../src/guardrails/sql/scan-sql.js';
import type { FileScanResult } from '../../src/guardrails/file-scan.js';
import type { Finding, ScanOptions } from '../../src/guardrails/finding.js';

// A large SQL file is scanned in chunks cut at statement boundaries (scan-sql-chunked.ts). Its
// findings (lines, statements, suppressions), parse errors, created tables and added columns must
// be those of the whole-text scan: checked here with chunks so small that boundaries fall after
// nearly every statement, and pieces of text (as read from disk) so small that they end inside
// dollar quotes, comments, literals, BEGIN ATOMIC bodies, COPY data and multi-byte characters.

const repo = path.resolve(import.meta.dirname, '../..');
let rules: RuleSet;
beforeAll(async () => {
  rules = await loadRulePacks();
  await loadPgParser();
});

/** A seeded generator (the same pieces on every run). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function* piecesOf(text: string, seed: number, most: number): Generator<string, void> {
  const next = random(seed);
  for (let at = 0; at < text.length; ) {
    const n = 1 + Math.floor(next() * most);
    yield text.slice(at, at + n);
    at += n;
  }
}

function sqlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sqlFiles(p);
    return e.name.endsWith('.sql') ? [p] : [];
  });
}

/** Migrations with what chunk boundaries must not cut: bodies, comments, literals, markers, COPY data, CRLF, non-ASCII. */
function generated(n: number, seed: number): string {
  const next = random(seed);
  const parts: string[] = ['SET statement_timeout = 0;\n'];
  for (let i = 0; i < n; i++) {
    const t = `table_${i}`;
    const pick = Math.floor(next() * 14);
    const nl = next() < 0.2 ? '\r\n' : '\n';
    parts.push(`-- migration ${i} é ✓${nl}`);
    parts.push(`CREATE TABLE ${t} (id bigint PRIMARY KEY, owner bigint NOT NULL, note text);${nl}`);
    if (pick === 0) parts.push(`CREATE FUNCTION f_${i}() RETURNS trigger AS $body$\nBEGIN\n  DELETE FROM accounts; -- not run here\n  RETURN NEW;\nEND;\n$body$ LANGUAGE plpgsql;\n`);
    if (pick === 1) parts.push(`DO $$\nBEGIN\n  ALTER TABLE accounts ALTER COLUMN c_${i} TYPE bigint;\n  UPDATE accounts SET c_${i} = 1;\nEND\n$$;\n`);
    if (pick === 2) parts.push(`CREATE PROCEDURE p_${i}() LANGUAGE sql BEGIN ATOMIC\n  UPDATE accounts SET x = 1;\n  DELETE FROM accounts;\nEND;\n`);
    if (pick === 3) parts.push(`/* a comment\n   DROP TABLE accounts;\n   over lines 😀 */\nALTER TABLE accounts DROP COLUMN c_${i}; -- safety-exception: drop-column backfilled in T-${i}\n`);
    if (pick === 4) parts.push(`-- safety-exception ticket ${i}\nDROP TABLE legacy_${i};\nDROP TABLE other_${i};\n`);
    if (pick === 5) parts.push(`INSERT INTO ${t} VALUES (1, 2, 'a note; with -- chars\nand a line ''end;''');\nCOPY ${t} (id, note) FROM stdin;\n1\tDROP TABLE x;\n2\t'quote\n\\.\n`);
    if (pick === 6) parts.push(`ALTER TABLE accounts ADD CONSTRAINT c_${i}_nn CHECK (c_${i} IS NOT NULL) NOT VALID;\n\n\nALTER TABLE accounts ALTER COLUMN c_${i} SET NOT NULL;\n`);
    if (pick === 7) parts.push(`CREATE INDEX ${t}_idx ON ${t} (owner); CREATE INDEX acc_${i}_idx ON accounts (c_${i});\n`);
    if (pick === 8) parts.push(`SET lock_timeout = '2s';\nALTER TABLE accounts ALTER COLUMN c_${i} TYPE text;\n`);
    if (pick === 9) parts.push(`ALTER TABLE "Weird\n;Name" ADD COLUMN c_${i} integer NOT NULL;\nUPDATE accounts SET note = $q$it's; $$ fine$q$;\n`);
    if (pick === 10) parts.push(`stray_word_${i};\n+;\nSELECT (1;\nSELECT 2;\n`);
    if (pick === 11) parts.push(`ALTER TABLE accounts ADD COLUMN c_${i} integer DEFAULT random();\n\\set ON_ERROR_STOP on\nTRUNCATE ${t};\n`);
    if (pick === 12) parts.push(`DELETE FROM accounts   ;   -- safety-exception\n  UPDATE accounts SET a = 1;\n`);
    if (pick === 13) parts.push(`ALTER TABLE accounts ADD COLUMN c_${i} integer;\nALTER TABLE accounts ALTER COLUMN c_${i} TYPE bigint USING c_${i}::bigint;\n`);
    parts.push(`ALTER TABLE ${t} ADD CONSTRAINT ${t}_fk FOREIGN KEY (owner) REFERENCES accounts(id);\n\n`);
  }
  return decoded(parts.join(''));
}

function decoded(text: string): string {
  const d = decodeText(Buffer.from(text));
  if ('error' in d) throw new Error(d.error);
  return d.text;
}

/** MySQL as dumps and migrations write it: DELIMITER and routines, backticks, `#` comments, backslash escapes, executable comments. */
function generatedMysql(n: number, seed: number): string {
  const next = random(seed);
  const parts: string[] = ['SET NAMES utf8mb4;\n/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;\n'];
  for (let i = 0; i < n; i++) {
    const pick = Math.floor(next() * 10);
    parts.push(`-- migration ${i} é\n`);
    if (pick === 0) parts.push(`DELIMITER $$\nCREATE PROCEDURE p_${i}()\nBEGIN\n  DELETE FROM accounts; -- inside\n  IF 1 THEN UPDATE accounts SET x = 1; END IF;\nEND$$\n\nDROP TABLE legacy_${i}$$\nDELIMITER ;\n`);
    if (pick === 1) parts.push(`DELIMITER //\nCREATE TRIGGER t_${i} BEFORE INSERT ON accounts FOR EACH ROW\nBEGIN\n  SET NEW.x = 'a;\\'b';\nEND //\n\nALTER TABLE accounts DROP COLUMN d_${i} //\nTRUNCATE TABLE z_${i} //\nDELIMITER ;\n`);
    if (pick === 2) parts.push(`# a hash comment; DROP TABLE x;\nALTER TABLE \`accounts\` DROP COLUMN \`c_${i}\`;\n`);
    if (pick === 3) parts.push(`INSERT INTO t VALUES ('it\\'s; -- not a comment\nstill ''in'' it\\\\', "dq; \\" str");\nDELETE FROM accounts;\n`);
    if (pick === 4) parts.push(`CREATE TABLE \`t_${i}\` (id INT UNSIGNED AUTO_INCREMENT PRIMARY KEY, note VARCHAR(20)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n`);
    if (pick === 5) parts.push(`ALTER TABLE accounts ADD COLUMN c_${i} INT NOT NULL; -- safety-exception: add-not-null-without-default ok\n`);
    if (pick === 6) parts.push(`/* multi\n ; line */ RENAME TABLE a_${i} TO b_${i};\nDROP TABLE t_${i};\n`);
    if (pick === 7) parts.push(`ALTER TABLE accounts MODIFY c_${i} BIGINT;\nUPDATE accounts SET a = 1;\n`);
    if (pick === 8) parts.push(`DELIMITER ;;\nCREATE FUNCTION f_${i}() RETURNS INT DETERMINISTIC\nBEGIN\n  RETURN 1;\nEND ;;\nDROP TABLE q_${i};;\nDELIMITER ;\n`);
    if (pick === 9) parts.push(`stray_${i};\nSELECT (1;\n`);
    parts.push(`CREATE INDEX i_${i} ON accounts (c_${i});\n\n`);
  }
  return parts.join('');
}

/** Templated SQL (placeholders of every kind, one with a `;` in it) and T-SQL `GO` batches. */
function generatedTemplated(n: number, seed: number): string {
  const next = random(seed);
  const parts: string[] = ['SET statement_timeout = 0;\n'];
  for (let i = 0; i < n; i++) {
    const pick = Math.floor(next() * 8);
    parts.push(`-- migration ${i} ✓\n`);
    if (pick === 0) parts.push(`ALTER TABLE \${schema}.orders_${i} ALTER COLUMN status SET NOT NULL;\n`);
    if (pick === 1) parts.push(`ALTER TABLE :"tbl" DROP COLUMN legacy_${i};\nUPDATE t SET a = b::bigint WHERE c = :id;\n`);
    if (pick === 2) parts.push(`DROP TABLE {{ table_${i} }};\nCREATE INDEX \${ifNotExists} idx_${i} ON t (a);\n`);
    if (pick === 3) parts.push(`ALTER TABLE \${a;b} DROP COLUMN c_${i};\nDROP TABLE x_${i}\nGO\n`);
    if (pick === 4) parts.push(`CREATE TABLE dbo.t_${i} (id int)\n  go  \nALTER TABLE dbo.t_${i} DROP COLUMN id\nGO\n`);
    if (pick === 5) parts.push(`INSERT INTO t VALUES ('\${not; closed\n}', ':"x"');\nTRUNCATE :name;\n`);
    if (pick === 6) parts.push(`/* {{ a }}\n GO\n*/ DELETE FROM {{ t }};\n`);
    if (pick === 7) parts.push(`ALTER TABLE \${schema}.t ADD COLUMN c_${i} int DEFAULT random(); -- safety-exception: add-column-volatile-default fine\n`);
    parts.push(`ALTER TABLE accounts ADD CONSTRAINT fk_${i} FOREIGN KEY (o) REFERENCES owners(id);\n\n`);
  }
  return parts.join('');
}

/** SQLite migrations: the table-rebuild idiom, its create far from its drop and rename. */
function generatedSqlite(n: number, seed: number): string {
  const next = random(seed);
  const parts: string[] = ['PRAGMA foreign_keys = OFF;\n'];
  // a rename (and the drop of its new name) long before the table it renames is made: judged at the end
  for (let i = 0; i < n; i += 5) parts.push(`ALTER TABLE late_${i} RENAME TO r_${i};\nDROP TABLE r_${i};\n`);
  for (let i = 0; i < n; i++) {
    const pick = Math.floor(next() * 4);
    parts.push(`CREATE TABLE new_t_${i} (id INTEGER PRIMARY KEY AUTOINCREMENT, a TEXT);\n`);
    parts.push(`INSERT INTO new_t_${i} SELECT id, a FROM t_${i};\n`.repeat(1 + (i % 3)));
    if (pick === 0) parts.push(`CREATE INDEX idx_${i} ON t_${i} (a);\nDROP TABLE old_${i};\n`);
    if (pick === 1) parts.push(`ALTER TABLE t_${i} RENAME TO gone_${i};\n`);
    if (pick === 2) parts.push(`ALTER TABLE x_${i} ADD COLUMN b TEXT NOT NULL;\n`);
    parts.push(`\n`);
  }
  // the second half of each rebuild, far from its first
  for (let i = 0; i < n; i++) parts.push(`DROP TABLE t_${i};\nALTER TABLE new_t_${i} RENAME TO t_${i};\n`);
  for (let i = 0; i < n; i += 5) parts.push(`CREATE TABLE late_${i} (a TEXT);\n`);
  return parts.join('');
}

/** A large file's result with its packed findings unpacked after the others (as scanPaths takes them). */
function unpacked(result: FileScanResult | undefined): FileScanResult | undefined {
  if (!result) return undefined;
  const { findingParts, ...rest } = result;
  expect(findingParts, 'a large file keeps its findings packed').toBeDefined();
  return { ...rest, findings: [...rest.findings, ...[...(findingParts?.() ?? [])].flat()] };
}

type Input = Omit<Parameters<typeof scanSqlChunked>[0], 'rules' | 'options'> & { options?: ScanOptions };

/** Scans `text` whole and in chunks (pieces of 1 to 40 characters); the two must be equal. */
function compare(text: string, file: string, chunkChars: number, seed: number, extra: Partial<Input> = {}): SqlScanResult {
  const input = { file, rules, options: {}, ...extra };
  const whole = scanSql({ ...input, text });
  const chunked = scanSqlChunked(input, () => piecesOf(text, seed, 1 + (seed % 40)), chunkChars);
  expect(chunked, `${file} in chunks of ${chunkChars}`).toEqual(whole);
  return whole;
}

describe('a SQL text scanned in chunks finds what the whole-text scan finds', () => {
  it('every .sql fixture, with chunks of 1 to 4,096 characters', () => {
    const files = [...sqlFiles(path.join(repo, 'test/fixtures')), ...sqlFiles(path.join(repo, 'test/guardrails/fixtures'))];
    expect(files.length).toBeGreaterThan(30);
    for (const [i, file] of files.entries()) {
      const text = decoded(readFileSync(file, 'utf8'));
      for (const size of [1, 13, 97, 4096]) compare(text, path.relative(repo, file), size, i * 7 + size);
    }
  });

  it('generated migrations with bodies, comments, literals, markers and COPY data cut anywhere', () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const text = generated(120, seed);
      for (const size of [1, 40, 333, 5000]) compare(text, `gen-${seed}.sql`, size, seed * 31 + size);
    }
    // read in one piece (as a 1 MiB piece of a large file): far more text at hand than a chunk prepares,
    // and a statement longer than what is prepared past a chunk (a function body of 110,000 characters)
    const body = 'DELETE FROM accounts; -- not run here\n'.repeat(3000);
    const big = `${generated(700, 7)}CREATE FUNCTION f_big() RETURNS void AS $body$\n${body}$body$ LANGUAGE sql;\n${generated(700, 8)}`;
    expect(big.length).toBeGreaterThan(3 * 65536);
    const input = { file: 'gen-big.sql', rules, options: {} };
    const whole = scanSql({ ...input, text: big });
    for (const size of [40, 5000, 70000]) expect(scanSqlChunked(input, () => [big][Symbol.iterator](), size)).toEqual(whole);
  });

  it('MySQL chosen, hinted or detected: DELIMITER, routines, backticks, # comments and backslash escapes cut anywhere', () => {
    for (const seed of [1, 2, 3, 4]) {
      const text = decoded(generatedMysql(100, seed));
      for (const size of [1, 50, 700, 5000]) {
        const chosen = compare(text, `my-${seed}.sql`, size, seed * 17 + size, { dialect: 'mysql' });
        expect(chosen.dialect).toBe('mysql');
        expect(chosen.findings.length).toBeGreaterThan(50);
        compare(text, `my-${seed}.sql`, size, seed * 19 + size, { options: { dialect: 'mysql' } });
        compare(text, `my-${seed}.sql`, size, seed * 23 + size, { dialectHint: 'mysql' });
        // MySQL-only syntax or a `#` line read as PostgreSQL first: read again as MySQL, as scanSql starts over
        expect(compare(text, `my-${seed}.sql`, size, seed * 29 + size).dialect).toBe('mysql');
      }
    }
  });

  it('a text that turns out MySQL late, or stays PostgreSQL despite a # line, is read as the whole-text scan reads it', () => {
    const late = (tail: string): string => `${'ALTER TABLE a DROP COLUMN b;\nCREATE INDEX i ON t (a);\n'.repeat(60)}${tail}`;
    const dollar = "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql;\n";
    const cases: [string, string][] = [
      ['CREATE TABLE t (id INT AUTO_INCREMENT);\n', 'mysql'],
      ['# a comment\nDROP TABLE x;\n', 'mysql'],
      [`# a comment\nDROP TABLE x;\n${dollar}`, 'postgres'],
      [`${dollar}DROP TABLE x;\n# a comment\n`, 'postgres'],
      ['SELECT `a`;\n', 'mysql'],
    ];
    for (const [tail, dialect] of cases) {
      for (const size of [1, 64, 900]) {
        expect(compare(late(tail), 'late.sql', size, size).dialect).toBe(dialect);
        compare(`# first\n${late(tail)}`, 'late.sql', size, size + 1);
      }
    }
  });

  it('templated SQL and T-SQL GO batches: placeholders stood in per chunk, GO lines counted across chunks', () => {
    for (const seed of [1, 2, 3, 4]) {
      const text = decoded(generatedTemplated(100, seed));
      for (const size of [1, 45, 600, 5000]) {
        const whole = compare(text, `tpl-${seed}.sql`, size, seed * 37 + size);
        expect(whole.findings.some((f) => f.message.includes('standing in for'))).toBe(true);
        expect([...whole.rejected].some((r) => r.message.includes("'GO'"))).toBe(true);
      }
    }
  });

  it('a file of hundreds of thousands of GO lines (each a parse error) is scanned, whole and in chunks (no spread of them all: the stack)', () => {
    const text = 'DROP TABLE x\nGO\n'.repeat(3).concat('GO\n'.repeat(300000));
    const whole = compare(text, 'go.sql', 256 * 1024, 5);
    expect(whole.rejected.length).toBe(300003);
  });

  it('SQLite: the table-rebuild idiom is judged over the whole text, its parts in different chunks', () => {
    for (const seed of [1, 2, 3]) {
      const text = generatedSqlite(80, seed);
      for (const size of [1, 70, 2000]) {
        const whole = compare(text, `lite-${seed}.sql`, size, seed * 41 + size);
        compare(text, `lite-${seed}.sql`, size, seed * 43 + size, { dialect: 'sqlite' });
        expect(whole.findings.some((f) => f.rule === 'drop-table')).toBe(true);
        // the drops of rebuilt tables are not findings; without the idiom there would be 80 more
        expect(whole.findings.filter((f) => f.rule === 'drop-table').length).toBeLessThan(80);
        expect(whole.findings.some((f) => /\blate_|\br_\d/.test(f.statement ?? ''))).toBe(false);
        // let go of created tables after each chunk (a large file's scan): the idiom still sees them all
        const light = scanSqlChunked({ file: `lite-${seed}.sql`, rules, options: {}, keepAdditions: false }, () => piecesOf(text, seed, 30), size);
        expect(light.findings).toEqual(whole.findings);
      }
    }
  });
});

describe('a large file read in pieces from disk', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'al-chunked-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    useChunkedScan(1024 * 1024);
  });

  it('decodes as decodeText does: pieces of 5 bytes end inside multi-byte characters and CRLFs, a lone CR is a line end', () => {
    const file = path.join(dir, 'a.sql');
    writeFileSync(file, `\ufeff${generated(40, 9)}DROP TABLE x;\rDROP TABLE y;\r\r-- é\r`);
    const whole = decodeText(readFileSync(file));
    const pieces = readUtf8Pieces(file, 5);
    expect(pieces).toBeDefined();
    expect([...(pieces ?? [])].join('')).toBe('text' in whole ? whole.text : '');
    expect(readsAsUtf8(file)).toBe(true);
    const latin1 = path.join(dir, 'b.sql');
    writeFileSync(latin1, Buffer.concat([Buffer.from('DROP TABLE caf'), Buffer.from([0xe9]), Buffer.from(';\n')]));
    expect(() => [...(readUtf8Pieces(latin1, 5) ?? [])]).toThrow(/not UTF-8/);
    writeFileSync(latin1, Buffer.from('\0\0\0\u0001binary\0', 'latin1'));
    expect(readUtf8Pieces(latin1)).toBeUndefined();
  });

  it('Latin-1 (bytes found not to be UTF-8 late in the file): read again from the start as Latin-1, in pieces, as decodeText reads it', () => {
    // é as one byte (0xe9) only after thousands of lines: the UTF-8 reading fails there
    const text = `${generated(150, 11).replace(/[é✓😀]/g, '')}ALTER TABLE caf\u00e9 DROP COLUMN \u00e0;\rDROP TABLE x;\r`;
    for (const [name, bytes] of [
      ['latin1-late.sql', Buffer.from(text, 'latin1')],
      ['latin1-bom.sql', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'latin1')])],
    ] as const) {
      const file = path.join(dir, name);
      writeFileSync(file, bytes);
      const whole = decodeText(readFileSync(file));
      expect(whole).toMatchObject({ encoding: 'latin1' });
      expect([...(readUtf8Pieces(file, 5, true) ?? [])].join('')).toBe('text' in whole ? whole.text : '');
      expect(readsAsUtf8(file)).toBe(false);
      useChunkedScan(0, 64, 7);
      const chunked = unpacked(scanLargeSqlFile({ file: name, absolute: file, kind: 'sql', rules, options: {} }, true));
      expect(chunked, 'read in chunks, not left to the whole-file reading').toBeDefined();
      const scanned = scanSql({ file: name, rules, options: {}, text: 'text' in whole ? whole.text : '' });
      expect(chunked).toEqual({ findings: scanned.findings, created: scanned.created, added: scanned.added, parseErrors: scanned.rejected });
      expect(scanned.findings.some((f) => f.statement?.includes('caf\u00e9'))).toBe(true);
    }
  });

  it('SQLite read from disk: its findings packed chunk by chunk, the rebuild idiom judged when they are unpacked', () => {
    const name = 'lite-disk.sql';
    const file = path.join(dir, name);
    const text = generatedSqlite(80, 5);
    writeFileSync(file, text);
    useChunkedScan(0, 70, 9);
    const chunked = unpacked(scanLargeSqlFile({ file: name, absolute: file, kind: 'sql', rules, options: {} }, false));
    const scanned = scanSql({ file: name, rules, options: {}, text });
    expect(chunked?.findings).toEqual(scanned.findings);
    expect(scanned.findings.filter((f) => f.rule === 'drop-table').length).toBeLessThan(80);
  });

  it('UTF-16 (little and big endian, with and without a byte order mark) is read in pieces, decoded and scanned as the whole file is', () => {
    // a pair of surrogates (😀) and CR LF / lone CR cut by pieces of 7 bytes (odd: a code unit is cut too)
    const text = `${generated(60, 13)}DROP TABLE \u{1F600}x;\rDROP TABLE y;\r\n`;
    const le = Buffer.from(text, 'utf16le');
    const be = Buffer.from(le).swap16();
    // without a byte order mark, UTF-16 is told by its zero bytes: ASCII text
    const ascii = Buffer.from(text.replace(/[^\n\r -~]/g, ''), 'utf16le');
    for (const [name, bytes] of [
      ['u16le-bom.sql', Buffer.concat([Buffer.from([0xff, 0xfe]), le])],
      ['u16be-bom.sql', Buffer.concat([Buffer.from([0xfe, 0xff]), be])],
      ['u16le.sql', ascii],
      ['u16be.sql', Buffer.from(ascii).swap16()],
      ['u16le-odd.sql', Buffer.concat([Buffer.from([0xff, 0xfe]), le, Buffer.from([0x41])])],
    ] as const) {
      const file = path.join(dir, name);
      writeFileSync(file, bytes);
      const whole = decodeText(readFileSync(file));
      expect(whole, name).toMatchObject({ encoding: name.includes('be') ? 'utf-16be' : 'utf-16le' });
      const wholeText = 'text' in whole ? whole.text : '';
      for (const size of [7, 4096]) expect([...(readUtf8Pieces(file, size) ?? [])].join(''), `${name} in pieces of ${size}`).toBe(wholeText);
      useChunkedScan(0, 64, 7);
      const chunked = unpacked(scanLargeSqlFile({ file: name, absolute: file, kind: 'sql', rules, options: {} }, true));
      expect(chunked, 'read in chunks, not left to the whole-file reading').toBeDefined();
      const scanned = scanSql({ file: name, rules, options: {}, text: wholeText });
      expect(chunked).toEqual({ findings: scanned.findings, created: scanned.created, added: scanned.added, parseErrors: scanned.rejected });
      expect(scanned.findings.some((f) => f.statement?.includes(name.includes('bom') ? '\u{1F600}x' : 'DROP TABLE y'))).toBe(true);
    }
    // UTF-32 is left to the whole-file reading
    const u32 = path.join(dir, 'u32.sql');
    writeFileSync(u32, Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), Buffer.from(new Uint32Array([...'DROP TABLE x;\n'].map((c) => c.codePointAt(0) ?? 0)).buffer)]));
    expect(readUtf8Pieces(u32)).toBeUndefined();
  });

  it('scanPaths gives the same result chunked and whole, over the fixture corpus and generated files', async () => {
    for (let i = 0; i < 3; i++) writeFileSync(path.join(dir, `big_${i}.sql`), generated(200, 20 + i));
    writeFileSync(path.join(dir, 'latin1.sql'), Buffer.concat([Buffer.from('DROP TABLE caf'), Buffer.from([0xe9]), Buffer.from(';\n')]));
    const paths = [dir, path.join(repo, 'test/fixtures/migrations'), path.join(repo, 'test/guardrails/fixtures')].filter((p) => statSync(p).isDirectory());
    useChunkedScan(-1);
    const whole = await scanPaths(paths);
    useChunkedScan(0, 50);
    const chunked = await scanPaths(paths);
    expect(chunked).toEqual(whole);
    // streamed (scan --json): a large file's findings come part by part, in the order the whole scan sorts them
    const stream = async (): Promise<Finding[][]> => {
      const parts: Finding[][] = [];
      const streamed = await scanPaths(paths, {}, async (found) => {
        parts.push(found);
        await new Promise((resolve) => setImmediate(resolve));
      });
      expect({ ...streamed, findings: whole.findings }).toEqual(whole);
      return parts;
    };
    const inParts = await stream();
    useChunkedScan(-1);
    const wholeParts = await stream();
    expect(inParts.flat()).toEqual(wholeParts.flat());
    expect(inParts.length).toBeGreaterThan(wholeParts.length);
    expect(whole.findings.filter((f) => f.file.includes('big_')).length).toBeGreaterThan(100);
  });
});
