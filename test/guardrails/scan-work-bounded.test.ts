import { describe, expect, it } from 'vitest';
import { scanSqlText } from '../../src/guardrails/index.js';
import { CreatedTables } from '../../src/guardrails/sql/created-tables.js';
import { loadPgParser, pgParserCalls } from '../../src/guardrails/sql/parse-postgres.js';

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
      const before = pgParserCalls();
      const findings = await scanSqlText(sql, 'big.sql');
      const calls = pgParserCalls() - before;
      expect(calls).toBeGreaterThan(0);
      expect(calls).toBeLessThanOrEqual(statements);
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
});
