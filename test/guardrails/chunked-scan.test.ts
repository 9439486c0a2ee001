import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeText } from '../../src/guardrails/decode-text.js';
import { scanPaths } from '../../src/guardrails/index.js';
import { readUtf8Pieces } from '../../src/guardrails/read-text-pieces.js';
import { type RuleSet, loadRulePacks } from '../../src/guardrails/rule-pack.js';
import { useChunkedScan } from '../../src/guardrails/scan-large-sql.js';
import { loadPgParser } from '../../src/guardrails/sql/parse-postgres.js';
import { scanSqlChunked } from '../../src/guardrails/sql/scan-sql-chunked.js';
import { scanSql } from '../../src/guardrails/sql/scan-sql.js';

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

function compare(text: string, file: string, chunkChars: number, seed: number): boolean {
  const input = { file, rules, options: {} };
  const whole = scanSql({ ...input, text });
  const chunked = scanSqlChunked(input, piecesOf(text, seed, 1 + (seed % 40)), chunkChars);
  if (chunked) expect(chunked, `${file} in chunks of ${chunkChars}`).toEqual(whole);
  return chunked !== undefined;
}

describe('a SQL text scanned in chunks finds what the whole-text scan finds', () => {
  it('every .sql fixture, with chunks of 1 to 4,096 characters', () => {
    const files = [...sqlFiles(path.join(repo, 'test/fixtures')), ...sqlFiles(path.join(repo, 'test/guardrails/fixtures'))];
    expect(files.length).toBeGreaterThan(30);
    let chunked = 0;
    for (const [i, file] of files.entries()) {
      const text = decoded(readFileSync(file, 'utf8'));
      for (const size of [1, 13, 97, 4096]) if (compare(text, path.relative(repo, file), size, i * 7 + size)) chunked++;
    }
    // Templated, T-SQL, MySQL and SQLite fixtures are left to the whole-text scan; the rest are chunked.
    expect(chunked).toBeGreaterThan(files.length * 2);
  });

  it('generated migrations with bodies, comments, literals, markers and COPY data cut anywhere', () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const text = generated(120, seed);
      for (const size of [1, 40, 333, 5000]) expect(compare(text, `gen-${seed}.sql`, size, seed * 31 + size)).toBe(true);
    }
  });

  it('gives way to the whole-text scan for what it cannot carry (MySQL syntax, placeholders, GO), having reported nothing', () => {
    const input = { file: 'x.sql', rules, options: {} };
    const late = (tail: string): string => `${'ALTER TABLE a DROP COLUMN b;\n'.repeat(50)}${tail}`;
    for (const tail of ['CREATE TABLE t (id INT AUTO_INCREMENT);\n', 'ALTER TABLE ${schema}.t DROP COLUMN c;\n', 'DROP TABLE t\nGO\n', '# a comment\n']) {
      expect(scanSqlChunked(input, piecesOf(late(tail), 3, 20), 64)).toBeUndefined();
      expect(scanSqlChunked({ ...input, dialect: 'mysql' }, piecesOf(late(''), 3, 20), 64)).toBeUndefined();
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
    useChunkedScan(8 * 1024 * 1024);
  });

  it('decodes as decodeText does: pieces of 5 bytes end inside multi-byte characters and CRLFs, a lone CR is a line end', () => {
    const file = path.join(dir, 'a.sql');
    writeFileSync(file, `\ufeff${generated(40, 9)}DROP TABLE x;\rDROP TABLE y;\r\r-- é\r`);
    const whole = decodeText(readFileSync(file));
    const pieces = readUtf8Pieces(file, 5);
    expect(pieces).toBeDefined();
    expect([...(pieces ?? [])].join('')).toBe('text' in whole ? whole.text : '');
    const latin1 = path.join(dir, 'b.sql');
    writeFileSync(latin1, Buffer.concat([Buffer.from('DROP TABLE caf'), Buffer.from([0xe9]), Buffer.from(';\n')]));
    expect(() => [...(readUtf8Pieces(latin1, 5) ?? [])]).toThrow(/not UTF-8/);
    writeFileSync(latin1, Buffer.from('\ufeffDROP TABLE x;\n', 'utf16le'));
    expect(readUtf8Pieces(latin1)).toBeUndefined();
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
    expect(whole.findings.filter((f) => f.file.includes('big_')).length).toBeGreaterThan(100);
  });
});
