import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { type MigrationReport, formatMigrationReport, validateMigrations } from '../../src/guardrails/index.js';

const fixtures = fileURLToPath(new URL('./fixtures/migrations', import.meta.url));
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const ticks = (r: MigrationReport) => r.migrations.map((m) => `${path.basename(m.file)} ${m.kind} ${+m.upgrade}${+m.downgrade}${+m.reversible}`);
const rules = (fs: { file: string; rule: string }[]) => fs.map((f) => `${path.basename(f.file)} ${f.rule}`).sort();

describe('validateMigrations', () => {
  it('pairs NNN_name.up.sql with .down.sql (and dir/up.sql with dir/down.sql), and needs a down for production', async () => {
    const prod = await validateMigrations('sql', { environment: 'production', cwd: fixtures });
    expect(ticks(prod)).toEqual([
      '001_users.up.sql sql-pair 111',
      '002_email.up.sql sql-pair 100',
      '003_email_idx.up.sql sql-pair 100',
      '004_orphan.down.sql sql-pair 010',
      '005_backfill.sql sql-pair 100',
      'up.sql sql-pair 111',
    ]);
    expect(prod.ok).toBe(false);
    expect(rules(prod.errors)).toEqual([
      '002_email.up.sql missing-down-file',
      '003_email_idx.down.sql empty-downgrade',
      '004_orphan.down.sql missing-upgrade',
      '005_backfill.sql missing-down-file',
    ]);
    expect(rules(prod.warnings)).toEqual(['004_orphan.down.sql drop-column']);
    expect(prod.migrations[0]?.file).toBe('sql/001_users.up.sql');
    expect(prod.migrations[0]?.downFile).toBe('sql/001_users.down.sql');
    // The down of 001 drops only the table 001 created: not a finding.
    expect(prod.migrations[0]?.findings).toEqual([]);

    const dev = await validateMigrations('sql', { environment: 'development', cwd: fixtures });
    expect(rules(dev.errors)).toEqual(['004_orphan.down.sql missing-upgrade']);
    expect(rules(dev.warnings)).toContain('002_email.up.sql missing-down-file');
  });

  it('pairs Flyway V<version>__x.sql with U<version>__x.sql; repeatable R__ scripts need no undo', async () => {
    const r = await validateMigrations(path.join(fixtures, 'flyway'), { environment: 'production' });
    expect(ticks(r)).toEqual(['V1__wishlists.sql flyway 111', 'V1.1__note.sql flyway 100', 'R__views.sql flyway 100']);
    expect(r.migrations.map((m) => m.version)).toEqual(['1', '1.1', undefined]);
    expect(rules(r.errors)).toEqual(['V1.1__note.sql missing-down-file']);
  });

  it('reads dbmate and goose files with up and down sections', async () => {
    const r = await validateMigrations(path.join(fixtures, 'dbmate'), { environment: 'production' });
    expect(ticks(r)).toEqual(['20240101120000_events.sql sql-pair 111', '20240102120000_events_at.sql sql-pair 100']);
    expect(rules(r.errors)).toEqual(['20240102120000_events_at.sql empty-downgrade']);
    // The down section drops what the up section created, in the same file: no finding.
    expect(r.migrations[0]?.findings).toEqual([]);
  });

  it('tells which findings run on upgrade and which on downgrade', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'al-mig-'));
    dirs.push(dir);
    writeFileSync(path.join(dir, '001_a.up.sql'), 'ALTER TABLE t DROP COLUMN a;\n');
    writeFileSync(path.join(dir, '001_a.down.sql'), 'ALTER TABLE t ADD COLUMN a int;\nTRUNCATE t;\n');
    writeFileSync(path.join(dir, '002_b.sql'), '-- migrate:up\nALTER TABLE u RENAME TO v;\n-- migrate:down\nALTER TABLE v RENAME TO u;\n');
    const r = await validateMigrations(dir, { environment: 'staging' });
    const directions = r.migrations.flatMap((m) => m.findings).map((f) => `${path.basename(f.file)}:${f.line} ${f.rule} ${f.direction}`);
    expect(directions).toEqual(['001_a.up.sql:1 drop-column upgrade', '001_a.down.sql:2 truncate downgrade', '002_b.sql:2 rename-table upgrade', '002_b.sql:4 rename-table downgrade']);
    const alembic = await validateMigrations(path.join(fixtures, 'alembic'), { environment: 'staging' });
    const a1b2 = alembic.migrations[0]?.findings.map((f) => `${f.line} ${f.rule} ${f.direction}`);
    // Its downgrade only drops what its upgrade created or added: nothing to report.
    expect(a1b2).toEqual([]);
  });

  it('checks Alembic revisions: downgrade present, not empty, not only raising; errors for production only', async () => {
    const prod = await validateMigrations(path.join(fixtures, 'alembic'), { environment: 'production' });
    expect(ticks(prod)).toEqual([
      'a1b2_create_users.py alembic 111',
      'e5f6_empty_downgrade.py alembic 100',
      'i9j0_no_downgrade.py alembic 100',
      'o5p6_irreversible.py alembic 110',
    ]);
    expect(prod.migrations.map((m) => m.version)).toEqual(['a1b2', 'e5f6', 'i9j0', 'o5p6']);
    expect(rules(prod.errors)).toEqual(['e5f6_empty_downgrade.py empty-downgrade', 'i9j0_no_downgrade.py missing-downgrade', 'o5p6_irreversible.py irreversible-downgrade']);
    const staging = await validateMigrations(path.join(fixtures, 'alembic'), { environment: 'staging' });
    expect(staging.ok).toBe(true);
    expect(rules(staging.warnings)).toContain('i9j0_no_downgrade.py missing-downgrade');
    expect(formatMigrationReport(prod)).toMatch(/^MIGRATION VALIDATION FAILED \(production\)\n\n {2}✓ upgrade {2}✓ downgrade {2}✓ reversible {3}.*a1b2_create_users\.py \[alembic\]/);
    expect(formatMigrationReport(staging)).toContain('Migration validation passed (staging)');
  });

  it('fails any environment on an unsuppressed CRITICAL statement, and scores migration rules over the fixtures', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'al-mig-'));
    dirs.push(dir);
    cpSync(path.join(fixtures, 'sql'), dir, { recursive: true });
    writeFileSync(path.join(dir, '007_purge.up.sql'), 'TRUNCATE sessions;\nDELETE FROM carts; -- safety-exception: emptied on purpose\n');
    writeFileSync(path.join(dir, '007_purge.down.sql'), 'SELECT 1;\n');
    const r = await validateMigrations(dir, { environment: 'development' });
    expect(r.ok).toBe(false);
    expect(rules(r.errors)).toEqual(['004_orphan.down.sql missing-upgrade', '007_purge.up.sql truncate']);
    expect(r.warnings.find((f) => f.rule === 'delete-without-where')?.suppressed).toBe(true);

    // Labeled: which migrations lack a way back, across every layout the validator reads.
    const expected = new Set([
      'sql/002_email.up.sql missing-down-file', 'sql/005_backfill.sql missing-down-file', 'flyway/V1.1__note.sql missing-down-file',
      'sql/003_email_idx.down.sql empty-downgrade', 'dbmate/20240102120000_events_at.sql empty-downgrade',
      'alembic/versions/e5f6_empty_downgrade.py empty-downgrade', 'sql/004_orphan.down.sql missing-upgrade',
    ]);
    const found = new Set<string>();
    for (const sub of ['sql', 'flyway', 'dbmate', 'alembic']) {
      const report = await validateMigrations(sub, { environment: 'production', cwd: fixtures });
      for (const f of [...report.errors, ...report.warnings]) {
        if (['missing-down-file', 'empty-downgrade', 'missing-upgrade'].includes(f.rule)) found.add(`${f.file} ${f.rule}`);
      }
    }
    for (const rule of ['missing-down-file', 'empty-downgrade', 'missing-upgrade']) {
      const tp = [...found].filter((k) => k.endsWith(rule) && expected.has(k)).length;
      const ofRule = (s: Set<string>) => [...s].filter((k) => k.endsWith(` ${rule}`)).length;
      expect({ rule, precision: tp / ofRule(found), recall: tp / ofRule(expected) }).toEqual({ rule, precision: 1, recall: 1 });
    }
  });

  it('refuses a folder that does not exist or is a file', async () => {
    await expect(validateMigrations('nope', { environment: 'production', cwd: fixtures })).rejects.toThrow(InputError);
    await expect(validateMigrations('sql/001_users.up.sql', { environment: 'production', cwd: fixtures })).rejects.toThrow(/not a directory/);
  });

  it('streams: each migration is reported before the next is read, and no file is held in memory until the end', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'al-vm-stream-'));
    dirs.push(dir);
    writeFileSync(path.join(dir, '001_a.up.sql'), 'CREATE TABLE a (id int);\n');
    writeFileSync(path.join(dir, '001_a.down.sql'), 'DROP TABLE a;\n');
    writeFileSync(path.join(dir, '002_b.up.sql'), 'SELECT 1;\n');
    writeFileSync(path.join(dir, '002_b.down.sql'), 'SELECT 1;\n');
    const seen: string[] = [];
    const report = await validateMigrations(dir, { environment: 'production' }, (check) => {
      seen.push(`${path.basename(check.file)} ${check.findings.map((f) => f.rule).join(',')}`);
      // Written after 001 was reported and before 002 is read: the check of 002 must see it.
      if (seen.length === 1) writeFileSync(path.join(dir, '002_b.up.sql'), 'DROP TABLE users;\n');
    });
    expect(seen).toEqual(['001_a.up.sql ', '002_b.up.sql drop-table']);
    expect(report.migrations).toEqual([]);
    expect(rules(report.errors)).toEqual(['002_b.up.sql drop-table']);
    expect(report.ok).toBe(false);
  });
});
