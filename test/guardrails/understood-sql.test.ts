import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { scanPaths } from '../../src/guardrails/index.js';
import { analyzeParsedStatement } from '../../src/guardrails/sql/analyze-parsed-statement.js';
import { loadPgParser, parsePostgres, pgParserCalls } from '../../src/guardrails/sql/parse-postgres.js';
import { COL_NAME_KEYWORDS, KEYWORDS, NOT_A_NAME } from '../../src/guardrails/sql/pg-keywords.js';
import { splitStatements } from '../../src/guardrails/sql/split-statements.js';
import { tokenizeStatement } from '../../src/guardrails/sql/tokenize-statement.js';
import { readUnderstood, useUnderstoodReading } from '../../src/guardrails/sql/understood-sql.js';

// The forms read from tokens (understood-sql.ts) must read exactly as the Postgres parser does:
// whatever they read, the parser accepts as one statement, with the same hits; what the parser
// rejects, they leave to it. Checked statement by statement against the real parser, and scan by
// scan (fast path on and off) over the fixture corpus.

const ROOT = path.resolve(import.meta.dirname, '..');
const CORPUS = [path.join(ROOT, 'fixtures', 'migrations'), path.join(ROOT, 'guardrails', 'fixtures')];

function sqlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    if (statSync(p).isDirectory()) return sqlFiles(p);
    return n.endsWith('.sql') ? [p] : [];
  });
}

/** The fast path's reading beside the parser's; undefined when the fast path leaves the statement to the parser. */
function compare(sql: string): { understood: unknown; parsed: unknown } | undefined {
  const tokens = tokenizeStatement(sql, 'postgres', 0, sql.length);
  const understood = readUnderstood(tokens, sql);
  if (!understood) return undefined;
  const parsed = parsePostgres(sql);
  return { understood, parsed: 'error' in parsed ? parsed : parsed.length === 1 ? analyzeParsedStatement(parsed[0]?.node ?? {}) : parsed };
}

/** Statements in the forms read from tokens, and near them (each one either reads as the parser does or is left to it). */
const VARIANTS = [
  // the bench's migration
  'ALTER TABLE accounts ADD COLUMN c_1 integer',
  'ALTER TABLE accounts ADD CONSTRAINT c_1_nn CHECK (c_1 IS NOT NULL) NOT VALID',
  'ALTER TABLE accounts VALIDATE CONSTRAINT c_1_nn',
  'ALTER TABLE accounts ALTER COLUMN c_1 SET NOT NULL',
  'ALTER TABLE table_1 ADD CONSTRAINT table_1_fk FOREIGN KEY (owner) REFERENCES accounts(id)',
  'ALTER TABLE table_1 ALTER COLUMN note TYPE varchar(200)',
  'DROP TABLE legacy_9',
  'CREATE INDEX table_1_owner_idx ON table_1 (owner)',
  // names: quoted, qualified, keywords that are names and keywords that are not
  'ALTER TABLE "Orders" DROP COLUMN "LegacyId"',
  'ALTER TABLE public."Orders" DROP COLUMN IF EXISTS "say ""hi""" CASCADE',
  'ALTER TABLE IF EXISTS ONLY public.orders * DROP legacy RESTRICT',
  'ALTER TABLE IF EXISTS public.orders * DROP legacy RESTRICT',
  'ALTER TABLE ONLY orders DROP legacy',
  'ALTER TABLE a.b.c DROP COLUMN x',
  'ALTER TABLE orders DROP COLUMN name, DROP COLUMN type, DROP COLUMN position, DROP COLUMN values',
  'ALTER TABLE user DROP COLUMN x',
  'ALTER TABLE orders DROP COLUMN left',
  'ALTER TABLE orders DROP COLUMN "a$"',
  'ALTER TABLE orders DROP COLUMN a$',
  'ALTER TABLE orders DROP COLUMN über',
  'ALTER TABLE orders DROP COLUMN U&"d\\0061t\\+000061"',
  `ALTER TABLE orders DROP COLUMN ${'x'.repeat(64)}`,
  `ALTER TABLE orders DROP COLUMN "${'x'.repeat(64)}"`,
  'ALTER TABLE orders DROP COLUMN ""',
  'alter table orders drop column ıf',
  'ALTER TABLE orders DROP COLUMN IF EXISTS',
  // columns added: types, defaults, constraints
  'ALTER TABLE orders ADD COLUMN total numeric(12, 2) NOT NULL',
  'ALTER TABLE orders ADD COLUMN total numeric(12, 2) NOT NULL DEFAULT 0',
  'ALTER TABLE orders ADD total decimal(12,2) DEFAULT -1.5 NOT NULL',
  "ALTER TABLE orders ADD COLUMN IF NOT EXISTS state varchar(20) NOT NULL DEFAULT 'new'",
  "ALTER TABLE orders ADD COLUMN state text DEFAULT 'it''s' NOT NULL",
  "ALTER TABLE orders ADD COLUMN state text DEFAULT E'x\\n' NOT NULL",
  "ALTER TABLE orders ADD COLUMN state text DEFAULT 'x'::text NOT NULL",
  'ALTER TABLE orders ADD COLUMN id bigserial',
  'ALTER TABLE orders ADD COLUMN id serial NOT NULL',
  'ALTER TABLE orders ADD COLUMN id "serial" NOT NULL',
  'ALTER TABLE orders ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid()',
  'ALTER TABLE orders ADD COLUMN token uuid DEFAULT uuid_generate_v4() NOT NULL',
  'ALTER TABLE orders ADD COLUMN at timestamptz NOT NULL DEFAULT now()',
  'ALTER TABLE orders ADD COLUMN at timestamp(3) with time zone NOT NULL DEFAULT CURRENT_TIMESTAMP',
  'ALTER TABLE orders ADD COLUMN at timestamp without time zone',
  'ALTER TABLE orders ADD COLUMN at time zone',
  'ALTER TABLE orders ADD COLUMN n int(11) NOT NULL',
  'ALTER TABLE orders ADD COLUMN n integer[] NOT NULL',
  'ALTER TABLE orders ADD COLUMN n int[3][] NULL',
  'ALTER TABLE orders ADD COLUMN n double precision NOT NULL',
  'ALTER TABLE orders ADD COLUMN n double NOT NULL',
  'ALTER TABLE orders ADD COLUMN n character varying(40) NOT NULL',
  'ALTER TABLE orders ADD COLUMN n char(2, 3)',
  'ALTER TABLE orders ADD COLUMN n bit varying(8)',
  'ALTER TABLE orders ADD COLUMN n interval day',
  'ALTER TABLE orders ADD COLUMN n boolean NOT NULL DEFAULT false',
  'ALTER TABLE orders ADD COLUMN n float(24)',
  'ALTER TABLE orders ADD COLUMN n jsonb NOT NULL',
  'ALTER TABLE orders ADD COLUMN n national char',
  'ALTER TABLE orders ADD COLUMN owner bigint REFERENCES users (id) ON DELETE CASCADE ON UPDATE NO ACTION',
  'ALTER TABLE orders ADD COLUMN owner bigint CONSTRAINT owner_fk REFERENCES users ON DELETE SET NULL NOT NULL',
  'ALTER TABLE orders ADD COLUMN owner bigint CONSTRAINT owner_fk',
  'ALTER TABLE orders ADD COLUMN code text UNIQUE NOT NULL',
  'ALTER TABLE orders ADD COLUMN code text PRIMARY KEY',
  'ALTER TABLE orders ADD COLUMN code text CHECK (code <> \'\')',
  'ALTER TABLE orders ADD COLUMN code text COLLATE "C"',
  'ALTER TABLE orders ADD COLUMN code int GENERATED ALWAYS AS IDENTITY',
  'ALTER TABLE orders ADD COLUMN exclude int',
  'ALTER TABLE orders ADD COLUMN if int',
  // constraints
  'ALTER TABLE orders ADD CHECK (total >= 0)',
  'ALTER TABLE orders ADD CONSTRAINT c CHECK (total >= 0 AND (state = \'new\' OR state IS NULL)) NOT VALID',
  'ALTER TABLE orders ADD CONSTRAINT c CHECK (a = b = c)',
  'ALTER TABLE orders ADD CONSTRAINT c CHECK (a > = b)',
  'ALTER TABLE orders ADD CONSTRAINT c CHECK (NOT a IS NULL)',
  'ALTER TABLE orders ADD CONSTRAINT c CHECK (a IS NULL IS NULL)',
  'ALTER TABLE orders ADD CONSTRAINT c CHECK (a != 1)',
  'ALTER TABLE orders ADD CONSTRAINT c CHECK (a =- 1)',
  'ALTER TABLE orders ADD CONSTRAINT c CHECK (lower(a) = a)',
  'ALTER TABLE orders ADD CONSTRAINT c CHECK (a > 0) NO INHERIT',
  'ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (a, b) REFERENCES s.other (x, y) ON DELETE RESTRICT NOT VALID',
  'ALTER TABLE orders ADD FOREIGN KEY (a) REFERENCES other',
  'ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES other (id) DEFERRABLE INITIALLY DEFERRED',
  'ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES other (id) MATCH FULL',
  'ALTER TABLE orders ADD CONSTRAINT u UNIQUE (a, b)',
  'ALTER TABLE orders ADD CONSTRAINT u UNIQUE USING INDEX orders_a_b',
  'ALTER TABLE orders ADD PRIMARY KEY (id)',
  'ALTER TABLE orders ADD CONSTRAINT pk PRIMARY KEY USING INDEX orders_pkey',
  'ALTER TABLE orders ADD CONSTRAINT pk PRIMARY KEY (id) NOT VALID',
  'ALTER TABLE orders ADD CONSTRAINT u UNIQUE NULLS NOT DISTINCT (a)',
  'ALTER TABLE orders ADD CONSTRAINT u UNIQUE (a) INCLUDE (b)',
  'ALTER TABLE orders ADD CONSTRAINT x EXCLUDE USING gist (a WITH &&)',
  'ALTER TABLE orders DROP CONSTRAINT IF EXISTS c CASCADE',
  // columns altered
  'ALTER TABLE orders ALTER state SET NOT NULL, ALTER COLUMN total TYPE bigint, ALTER COLUMN note SET DATA TYPE text',
  "ALTER TABLE orders ALTER COLUMN state SET DEFAULT 'new', ALTER COLUMN x DROP DEFAULT, ALTER COLUMN y DROP NOT NULL",
  'ALTER TABLE orders ALTER COLUMN total TYPE bigint USING total::bigint',
  'ALTER TABLE orders ALTER COLUMN total SET STATISTICS 100',
  'ALTER TABLE orders ALTER COLUMN total DROP IDENTITY',
  'ALTER TABLE orders ALTER CONSTRAINT c DEFERRABLE',
  'ALTER TABLE orders RENAME COLUMN a TO b',
  'ALTER TABLE orders ADD COLUMN a int,',
  'ALTER TABLE orders ADD COLUMN a int, DROP COLUMN b,',
  'ALTER TABLE orders ADD COLUMN a int DROP COLUMN b',
  // DROP and CREATE INDEX
  'DROP TABLE IF EXISTS a, s.b, "C" CASCADE',
  'DROP TABLE a RESTRICT',
  'DROP TABLE',
  'DROP INDEX IF EXISTS s.orders_idx CASCADE',
  'DROP INDEX CONCURRENTLY orders_idx',
  'DROP INDEX a, b',
  'CREATE UNIQUE INDEX IF NOT EXISTS orders_idx ON ONLY s.orders USING btree (a DESC NULLS LAST, b)',
  'CREATE INDEX ON orders (a)',
  'CREATE INDEX IF NOT EXISTS ON orders (a)',
  'CREATE INDEX orders_idx ON orders (lower(a))',
  'CREATE INDEX orders_idx ON orders (a text_pattern_ops)',
  'CREATE INDEX orders_idx ON orders (a) WHERE deleted_at IS NULL',
  'CREATE INDEX CONCURRENTLY orders_idx ON orders (a)',
];

describe('statement forms read from tokens', () => {
  beforeAll(async () => {
    await loadPgParser();
  });

  it('the keyword lists are the parser’s: a reserved or type/function keyword is no column name, any other keyword is', () => {
    const leftToParser: string[] = [];
    for (const word of KEYWORDS) {
      const sql = `ALTER TABLE t DROP COLUMN ${word}`;
      const parsed = parsePostgres(sql);
      expect({ word, accepted: !('error' in parsed) }).toEqual({ word, accepted: !NOT_A_NAME.has(word) });
      const c = compare(sql);
      if (c) expect(c.understood).toEqual(c.parsed);
      else if (!NOT_A_NAME.has(word)) leftToParser.push(word);
    }
    expect(leftToParser).toEqual(['if']); // `IF` is read as IF EXISTS only
    expect(KEYWORDS.size).toBeGreaterThan(400);
    expect([...COL_NAME_KEYWORDS].every((w) => KEYWORDS.has(w) && !NOT_A_NAME.has(w))).toBe(true);
  });

  it('every variant reads as the parser reads it, or is left to the parser', () => {
    let understood = 0;
    for (const sql of VARIANTS) {
      const c = compare(sql);
      if (!c) continue;
      understood++;
      expect({ sql, hits: c.understood }).toEqual({ sql, hits: c.parsed });
    }
    // The forms are read (the comparison above is not empty), and what the parser rejects is left to it.
    expect(understood).toBeGreaterThan(50);
    for (const sql of ['ALTER TABLE user DROP COLUMN x', 'ALTER TABLE orders ADD COLUMN n int(11) NOT NULL', 'ALTER TABLE orders ADD CONSTRAINT c CHECK (a = b = c)', 'alter table orders drop column ıf']) {
      expect(compare(sql)).toBeUndefined();
    }
  });

  it('on the fixture corpus, each statement read from tokens reads as the parser reads it', () => {
    let understood = 0;
    for (const file of CORPUS.flatMap(sqlFiles)) {
      const text = readFileSync(file, 'utf8');
      for (const s of splitStatements(text, 'postgres').statements) {
        const sql = text.slice(s.start, s.end);
        const c = compare(sql);
        if (!c) continue;
        understood++;
        expect({ file, sql, hits: c.understood }).toEqual({ file, sql, hits: c.parsed });
      }
    }
    expect(understood).toBeGreaterThan(20);
  });

  it('scanning the fixture corpus gives the same findings and parse errors with and without the forms read from tokens', async () => {
    const full = await (async () => {
      useUnderstoodReading(false);
      try {
        return await scanPaths(CORPUS);
      } finally {
        useUnderstoodReading(true);
      }
    })();
    const before = pgParserCalls();
    const fast = await scanPaths(CORPUS);
    const fastCalls = pgParserCalls() - before;
    expect(fast.findings.length).toBeGreaterThan(50);
    expect(fast).toEqual(full);
    // and with fewer parser calls
    useUnderstoodReading(false);
    const beforeFull = pgParserCalls();
    await scanPaths(CORPUS).finally(() => useUnderstoodReading(true));
    expect(fastCalls).toBeLessThan(pgParserCalls() - beforeFull);
  });
});
