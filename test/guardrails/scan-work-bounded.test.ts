import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanPaths, scanSqlText } from '../../src/guardrails/index.js';
import { CreatedTables } from '../../src/guardrails/sql/created-tables.js';
import { loadPgParser, pgParserCalls } from '../../src/guardrails/sql/parse-postgres.js';
import { useUnderstoodReading } from '../../src/guardrails/sql/understood-sql.js';

// Linear scanning, checked by counting work (never by timing): the parser reads each statement at
// most once, and the tables created earlier are found by name, not by searching a growing list.

/** `n` migrations' worth of real-shaped SQL: each creates a table, alters it and an older one. */
function migrations(n: number): { sql: string; statements: number } {
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    parts.push(
      `CREATE TABLE t_${i} (id bigint PRIMARY KEY, owner bigint NOT NULL, note text);`,
      `CREATE INDEX t_${i}_owner_idx ON t_${i} (owner);`,
      `ALTER TABLE accounts ADD COLUMN c_${i} integer;`,
      `ALTER TABLE accounts ADD CONSTRAINT c_${i}_nn CHECK (c_${i} IS NOT NULL) NOT VALID;`,
      `ALTER TABLE accounts ALTER COLUMN c_${i} SET NOT NULL;`,
      `ALTER TABLE t_${i} ALTER COLUMN note TYPE varchar(200);`,
      `ALTER TABLE accounts ALTER COLUMN c_${i} TYPE bigint;`,
      `UPDATE accounts SET c_${i} = 0 WHERE id < 100;`,
    );
  }
  return { sql: `${parts.join('\n')}\n`, statements: parts.length };
}

describe('scan work grows with the text, not faster', () => {
  it('the Postgres parser is given each statement at most once', async () => {
    await loadPgParser();
    for (const n of [50, 500]) {
      const { sql, statements } = migrations(n);
      // These forms are read from their tokens (understood-sql.ts): no parser call, the same findings.
      const beforeKnown = pgParserCalls();
      const known = await scanSqlText(sql, 'big.sql');
      expect(pgParserCalls() - beforeKnown).toBe(0);
      useUnderstoodReading(false);
      const before = pgParserCalls();
      const findings = await scanSqlText(sql, 'big.sql').finally(() => useUnderstoodReading(true));
      const calls = pgParserCalls() - before;
      expect(calls).toBeGreaterThan(0);
      expect(calls).toBeLessThanOrEqual(statements);
      expect(known).toEqual(findings);
      // The same findings per migration whatever the length: the lookups by name answer as the list did.
      // t_i was created earlier in the text (quiet); accounts was not (one finding per migration).
      expect(findings.filter((f) => f.rule === 'alter-column-type').map((f) => f.statement)).toEqual(Array.from({ length: n }, (_, i) => expect.stringContaining(`c_${i} TYPE bigint`)));
      expect(findings.filter((f) => f.rule === 'set-not-null')).toEqual([]); // each column had a CHECK (c IS NOT NULL) before
    }
  });

  it('a table created earlier is found by its name and schema', () => {
    const created = new CreatedTables([['orders'], ['billing', 'invoices']]);
    expect(created.has(['orders'])).toBe(true);
    expect(created.has(['public', 'orders'])).toBe(true); // no schema written at creation: any schema
    expect(created.has(['invoices'])).toBe(true);
    expect(created.has(['billing', 'invoices'])).toBe(true);
    expect(created.has(['sales', 'invoices'])).toBe(false);
    expect(created.has(['customers'])).toBe(false);
    created.add(['sales', 'invoices']);
    expect(created.has(['sales', 'invoices'])).toBe(true);
  });

  it('statements waiting for the parser are read in one call and reported as they stood', async () => {
    await loadPgParser();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'al-batch-'));
    // The parser's path, with the forms read from tokens sent to it as well (they would not wait for it).
    useUnderstoodReading(false);
    try {
      const clean = path.join(dir, '001_clean.sql');
      writeFileSync(clean, ['ALTER TABLE a ADD COLUMN x int;', 'ALTER TABLE a ALTER COLUMN y TYPE bigint;', 'DROP TABLE old;', 'ALTER TABLE b RENAME COLUMN p TO q;', ''].join('\n'));
      const before = pgParserCalls();
      const first = await scanPaths([clean]);
      expect(pgParserCalls() - before).toBe(1); // four statements, one call
      expect(first.findings.map((f) => `${f.line} ${f.rule}`)).toEqual(['2 missing-lock-timeout', '2 alter-column-type', '3 drop-table', '4 rename-column']);

      const mixed = path.join(dir, '002_mixed.sql');
      writeFileSync(
        mixed,
        [
          "-- Zoë's migration: ünïcödé 東京 before the statements (the parser counts bytes)", // 1
          'ALTER TABLE late ADD CONSTRAINT late_fk FOREIGN KEY (a) REFERENCES b (id);', // 2: late is created below: reported
          'CREATE TABLE late (id int, a int);', // 3
          'ALTER TABLE late ALTER COLUMN a TYPE bigint;', // 4: created above: quiet
          'ALTER TABLE orders DROP COLUMN legacy; -- safety-exception: drop-column archived', // 5: suppressed
          'ALTER TABLE orders FROBNICATE;', // 6: the parser rejects it (the batch is read one by one)
          "SET lock_timeout = '2s';", // 7
          'ALTER TABLE orders ALTER COLUMN total TYPE numeric;', // 8
          '',
        ].join('\n'),
      );
      const r = await scanPaths([mixed]);
      expect(r.findings.map((f) => `${f.line} ${f.rule}${f.suppressed ? ' (suppressed)' : ''}`)).toEqual([
        '2 missing-lock-timeout',
        '2 fk-not-valid',
        '5 drop-column (suppressed)',
        '8 alter-column-type',
      ]);
      expect([...r.parseErrors].map((e) => e.line)).toEqual([6]);
      // Read from tokens where they can be: the same findings and parse errors.
      useUnderstoodReading(true);
      const known = await scanPaths([clean, mixed]);
      expect(known.findings).toEqual([...first.findings, ...r.findings]);
      expect([...known.parseErrors]).toEqual([...r.parseErrors]);
    } finally {
      useUnderstoodReading(true);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
