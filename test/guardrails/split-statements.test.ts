import { describe, expect, it } from 'vitest';
import { byteOffsetToIndex, LineIndex } from '../../src/guardrails/line-index.js';
import { SqlLexer, Tok } from '../../src/guardrails/sql/sql-lexer.js';
import { splitStatements } from '../../src/guardrails/sql/split-statements.js';

const texts = (sql: string, dialect: 'postgres' | 'mysql' = 'postgres'): string[] =>
  splitStatements(sql, dialect).statements.map((s) => sql.slice(s.start, s.end));

describe('splitStatements', () => {
  it('splits at top-level semicolons only', () => {
    const sql = `SELECT 'a;b', "c;d", E'e\\';f', $$ g; $$, $x$ h; $y$ ; $x$ FROM t; -- i; j\n/* k; /* l; */ m; */ SELECT (1;2); SELECT 3`;
    expect(texts(sql)).toEqual([`SELECT 'a;b', "c;d", E'e\\';f', $$ g; $$, $x$ h; $y$ ; $x$ FROM t`, `SELECT (1;2)`, 'SELECT 3']);
  });

  it('keeps comments out of the statement and records safety-exception markers', () => {
    const sql = `-- leading comment\nDROP TABLE a; -- safety-exception here\n/* safety-exception */\nDROP TABLE b;`;
    const r = splitStatements(sql, 'postgres');
    expect(r.statements.map((s) => sql.slice(s.start, s.end))).toEqual(['DROP TABLE a', 'DROP TABLE b']);
    expect(r.statements[0]?.words).toEqual(['DROP', 'TABLE', 'A']);
    const lines = new LineIndex(sql);
    expect(r.markers.map((m) => [lines.lineOf(m.offset), m.commentOnly])).toEqual([
      [2, false],
      [3, true],
    ]);
  });

  it('reads a standard BEGIN ATOMIC body as part of its CREATE FUNCTION', () => {
    const sql = `CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC DELETE FROM t; SELECT CASE WHEN true THEN 1 END; END; DROP TABLE x;`;
    expect(texts(sql)).toEqual([`CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC DELETE FROM t; SELECT CASE WHEN true THEN 1 END; END`, 'DROP TABLE x']);
  });

  it('honours MySQL DELIMITER, backslash escapes and # comments', () => {
    const sql = "DELIMITER $$\nCREATE PROCEDURE p() BEGIN DELETE FROM t; END$$\nDELIMITER ;\nINSERT INTO t VALUES ('a\\'; b'); # c; d\nSELECT 1;";
    expect(texts(sql, 'mysql')).toEqual(['CREATE PROCEDURE p() BEGIN DELETE FROM t; END', "INSERT INTO t VALUES ('a\\'; b')", 'SELECT 1']);
    const long = 'DELIMITER $$\nUPDATE t SET a = b, c = d WHERE e = f$$\nINSERT INTO t (a, b, c) VALUES (1, 2, 3)$$\nDELIMITER ;\nSELECT 4;';
    expect(texts(long, 'mysql')).toEqual(['UPDATE t SET a = b, c = d WHERE e = f', 'INSERT INTO t (a, b, c) VALUES (1, 2, 3)', 'SELECT 4']);
    expect(splitStatements('SELECT `a;b`;', 'postgres').mysqlSyntax).toBe(true);
    expect(splitStatements('CREATE TABLE t (a int unsigned, b text);', 'postgres').mysqlSyntax).toBe(true);
    expect(splitStatements("CREATE TABLE t (a int, b text DEFAULT 'unsigned') -- unsigned\n;", 'postgres').mysqlSyntax).toBe(false);
    expect(splitStatements('CREATE TABLE t (a int) ENGINE = InnoDB;', 'postgres').mysqlSyntax).toBe(true);
    expect(splitStatements('SELECT engine FROM cars WHERE engine = 1;', 'postgres').mysqlSyntax).toBe(false);
  });

  it('skips COPY ... FROM stdin data up to the \\. line', () => {
    const sql = "COPY t (a) FROM stdin;\nit's; DROP TABLE x;\n\\.\nSELECT 1;";
    expect(texts(sql)).toEqual(['COPY t (a) FROM stdin', 'SELECT 1']);
  });

  it('skips psql meta-commands to the end of their line', () => {
    const sql = '\\set ON_ERROR_STOP on\n\\connect shop\nDROP TABLE x;\n\\i other.sql\nSELECT 1;';
    expect(texts(sql)).toEqual(['DROP TABLE x', 'SELECT 1']);
  });

  it('treats template directives between statements as no statement', () => {
    const sql = '{% if x %}\nDROP TABLE {{ t }};\n{% endif %}\n{# DROP TABLE y; #}';
    expect(texts(sql)).toEqual(['DROP TABLE {{ t }}']);
  });

  it('an unterminated literal or comment ends its statement (reported), and reading resumes on the next line', () => {
    const read = (sql: string) => splitStatements(sql, 'postgres').statements.map((s) => [sql.slice(s.start, s.end), s.unreadable ?? '']);
    expect(read("SELECT 'open; DROP TABLE x;\nDROP TABLE y;")).toEqual([
      ["SELECT 'open; DROP TABLE x;", 'a string literal that is never closed'],
      ['DROP TABLE y', ''],
    ]);
    expect(read('SELECT 1; /* open; DROP TABLE x;')).toEqual([['SELECT 1', ''], ['/* open; DROP TABLE x;', 'a comment that is never closed']]);
    expect(read('SELECT $a$ open; DROP TABLE x;')).toEqual([['SELECT $a$ open; DROP TABLE x;', 'a dollar-quoted string that is never closed']]);
    expect(read('SELECT ((1; DROP TABLE x; SELECT 2;')).toEqual([['SELECT ((1', 'parentheses that are never closed'], ['DROP TABLE x', ''], ['SELECT 2', '']]);
  });
});

describe('SqlLexer.nextBoundary', () => {
  // The fast path used inside long INSERT/COPY/SELECT statements must see the same boundaries as next().
  const pieces = [
    "'a;''b'", "E'c\\';'", 'B\'01\'', "U&'d\\0061'", '"q;""x"', '$$ ; $$', '$t$ ; $u$ ; $t$', '$1', 'price$', 'a$b$c',
    '-- c;\n', '/* c; /* n; */ ; */', '(', ')', ';', ',', '1e-5', '1--x\n', 'x-y', 'a/b', "x'y'", '{{ v; }}', '{% s; %}', '{# c; #}',
    '`b;t`', 'VALUES', 'é;', '\n', ' ', '::int', '#', ':name', '?', '.5e-1', '$_$', 'E', '&', 'end$$', 'x//y',
  ];
  const random = (seed: number) => () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);

  it.each([
    ['postgres', ';'],
    ['mysql', ';'],
    ['mysql', '$$'],
    ['mysql', '//'],
  ] as const)('agrees with next() on random %s text (delimiter %s)', (dialect, delimiter) => {
    const rnd = random(dialect === 'postgres' ? 7 : delimiter.length * 11);
    for (let round = 0; round < 500; round++) {
      const text = Array.from({ length: 40 }, () => pieces[Math.floor(rnd() * pieces.length)]).join(rnd() < 0.5 ? ' ' : '');
      const slow: string[] = [];
      const a = new SqlLexer(text, dialect);
      a.delimiter = delimiter;
      let depth = 0;
      for (let k = a.next(); k !== Tok.End; k = a.next()) {
        const c = text.charCodeAt(a.start);
        if (k === Tok.Punct && c === 40) depth++;
        else if (k === Tok.Punct && c === 41 && depth > 0) depth--;
        else if ((k === Tok.Punct && c === 59 && depth === 0 && delimiter === ';') || k === Tok.Comment || k === Tok.Delimiter || (k === Tok.QuotedIdent && c === 96)) {
          slow.push(`${k}@${a.start}`);
        }
      }
      const fast: string[] = [];
      const b = new SqlLexer(text, dialect);
      b.delimiter = delimiter;
      for (let k = b.nextBoundary(); k !== Tok.End; k = b.nextBoundary()) fast.push(`${k}@${b.start}`);
      expect(fast, text).toEqual(slow);
    }
  });
});

describe('offsets', () => {
  it('maps UTF-8 byte offsets (the parser) to string indexes (the lexer)', () => {
    const text = 'é東🚀x';
    for (let i = 0; i <= text.length; i++) {
      if (i > 0 && text.charCodeAt(i - 1) >= 0xd800 && text.charCodeAt(i - 1) <= 0xdbff) continue;
      expect(byteOffsetToIndex(text, Buffer.byteLength(text.slice(0, i)))).toBe(i);
    }
  });

  it('numbers lines from string indexes', () => {
    const lines = new LineIndex('a\nbé\n\nc');
    expect([0, 1, 2, 4, 5, 6].map((o) => lines.lineOf(o))).toEqual([1, 1, 2, 2, 3, 4]);
  });
});
