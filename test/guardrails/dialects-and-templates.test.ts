import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { scanPaths, validateMigrations } from '../../src/guardrails/index.js';

// Issue 20, points 2-5: templated SQL, statements the token check would have passed over,
// CHECK constraints, SQLite and CockroachDB files, and the per-dialect-up / generic-down layout.
const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.join(here, '../fixtures/migrations/sql');

async function scan(name: string, options = {}) {
  const result = await scanPaths([path.join(fixtures, name)], options);
  return { rules: result.findings.map((f) => `${f.line} ${f.rule}`), findings: result.findings, parseErrors: result.parseErrors };
}

describe('templated SQL and what the token check used to pass over', () => {
  it('reads ${schema}.orders with a name standing in for the placeholder, and names it', async () => {
    const { rules, findings } = await scan('templated-schema.sql');
    expect(rules).toContain('1 set-not-null');
    expect(findings.find((f) => f.rule === 'set-not-null')?.message).toContain('${schema}');
    expect(findings.find((f) => f.rule === 'set-not-null')?.statement).toContain('${schema}.orders');
  });

  it('reads psql :"tbl" and {{ table }} placeholders', async () => {
    expect((await scan('psql-variable.sql')).rules).toEqual(['1 drop-column']);
    const jinja = await scan('jinja.sql');
    expect(jinja.rules).toEqual(['2 drop-table']);
    expect(jinja.findings[0]?.message).toContain('{{ table_name }}');
  });

  it('sends every ALTER to the parser: a CockroachDB-only ALTER is listed as a parse error, not passed in silence', async () => {
    const { parseErrors } = await scan('cockroach-pk.sql');
    expect([...parseErrors].map((e) => e.line)).toEqual([1]);
  });

  it('ends T-SQL batches at GO lines, so each statement is read and the GO lines are listed', async () => {
    const { rules, parseErrors } = await scan('tsql-batches.sql');
    expect(rules).toEqual(expect.arrayContaining(['1 drop-column', '3 drop-table']));
    expect([...parseErrors].map((e) => e.line)).toEqual(expect.arrayContaining([2, 4]));
  });

  it('never reads a CHECK (a IS NOT NULL ...) as set-not-null; a CHECK without NOT VALID is check-not-valid', async () => {
    const { rules } = await scan('check-is-not-null.sql');
    expect(rules.filter((r) => r.endsWith('set-not-null'))).toEqual([]);
    expect(rules).toContain('3 check-not-valid');
    expect(rules).not.toContain('1 check-not-valid');
  });
});

describe('SQLite and CockroachDB', () => {
  it('gives a *.sqlite.up.sql file no CONCURRENTLY or lock_timeout rules, and reads the table rebuild as normal', async () => {
    const { rules } = await scan('layout/003_rebuild.sqlite.up.sql');
    expect(rules).toEqual([]);
  });

  it('--dialect sqlite and cockroachdb apply to a file whatever its name', async () => {
    const pg = await scan('layout/003_rebuild.postgres.up.sql');
    expect(pg.rules).toEqual(['3 drop-column']);
    const asSqlite = await scan('check-is-not-null.sql', { dialect: 'sqlite' });
    expect(asSqlite.rules).toEqual([]);
    const asCockroach = await scan('layout/003_rebuild.sqlite.up.sql', { dialect: 'cockroachdb' });
    expect(asCockroach.rules).not.toContain('1 index-not-concurrent');
    expect(asCockroach.rules).toContain('5 drop-table');
  });
});

describe('per-dialect up files beside one generic down file', () => {
  it('pairs NNN_name.<dialect>.up.sql with NNN_name.down.sql: no missing-upgrade, no missing-down-file', async () => {
    const report = await validateMigrations(path.join(fixtures, 'layout'), { environment: 'production' });
    const rules = [...report.errors, ...report.warnings].map((f) => `${path.basename(f.file)} ${f.rule}`);
    expect(rules.filter((r) => /missing-upgrade|missing-down-file/.test(r))).toEqual([]);
    expect(report.migrations.map((m) => [path.basename(m.file), m.downFile ? path.basename(m.downFile) : undefined])).toEqual([
      ['003_rebuild.postgres.up.sql', '003_rebuild.down.sql'],
      ['003_rebuild.sqlite.up.sql', '003_rebuild.down.sql'],
    ]);
  });
});
