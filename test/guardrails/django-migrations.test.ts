import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { scanPaths, validateMigrations } from '../../src/guardrails/index.js';

// Issue 20, point 1: 1,443 Django migrations gave no finding. The operations map to the SQL rules;
// AlterField is a change only against what the app's earlier migrations made of the field.
const here = path.dirname(fileURLToPath(import.meta.url));
const app = path.join(here, '../fixtures/migrations/django/shop/migrations');

describe('Django migrations', () => {
  it('maps operations to the SQL rules, reads RunSQL as SQL, and flags RunPython/RunSQL without a reverse', async () => {
    const result = await scanPaths([path.join(app, '0002_changes.py')]);
    expect(result.findings.map((f) => `${f.line} ${f.rule}${f.target ? ` ${f.target}` : ''}`).sort()).toEqual([
      '14 drop-column order.legacy',
      '15 set-not-null order.status',
      '16 alter-column-type order.total',
      '18 add-not-null-without-default order.customer_ref',
      '20 rename-column order.note -> comment',
      '21 rename-table order -> purchase',
      '22 drop-table coupon',
      '23 index-not-concurrent purchase',
      '24 drop-column shop_purchase.old_total',
      '25 drop-table shop_audit',
      '25 irreversible-downgrade',
      '26 irreversible-downgrade',
      '29 drop-table shop_ghost',
    ]);
  });

  it('AddIndexConcurrently and RunPython with a reverse pass; a created model is not reported', async () => {
    const later = await scanPaths([path.join(app, '0003_concurrent.py')]);
    expect(later.findings).toEqual([]);
    const initial = await scanPaths([path.join(app, '0001_initial.py')]);
    expect(initial.findings).toEqual([]);
  });

  it('a Python file in a migrations folder that is no migration is listed, not passed', async () => {
    const result = await scanPaths([app]);
    expect(result.notScanned.map((n) => path.basename(n.file))).toEqual(['0004_helpers.py']);
  });

  it('validate-migrations checks Django migrations: irreversible ones fail production, the unread file is an error', async () => {
    const report = await validateMigrations(app, { environment: 'production' });
    expect(report.migrations.map((m) => [path.basename(m.file), m.kind, m.reversible])).toEqual([
      ['0001_initial.py', 'django', true],
      ['0002_changes.py', 'django', false],
      ['0003_concurrent.py', 'django', true],
      ['0004_helpers.py', 'unread', false],
    ]);
    expect(report.ok).toBe(false);
    expect(report.errors.map((f) => `${path.basename(f.file)} ${f.rule}`)).toEqual(
      expect.arrayContaining(['0002_changes.py irreversible-downgrade', '0004_helpers.py unreadable-file']),
    );
    const allowed = await validateMigrations(app, { environment: 'development', allowUnread: true });
    expect(allowed.errors.map((f) => f.rule)).not.toContain('unreadable-file');
  });
});
