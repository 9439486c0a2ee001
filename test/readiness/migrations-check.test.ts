import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { checkOf, findingsOf, makeProject, review as reviewProject } from './helpers/temp-project.js';

// A database with nothing applied yet: every migration is pending, and the review knows it.
const review = (dir: string, options: Parameters<typeof reviewProject>[1] = {}): ReturnType<typeof reviewProject> =>
  reviewProject(dir, { appliedMigrations: { basis: 'a new database: nothing applied', applied: [] }, ...options });

const alembic = (id: string, upgrade: string, downgrade: string, parent = 'None'): string =>
  `"""${id}\n\nRevision ID: ${id}\n"""\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = "${id}"\ndown_revision = ${parent}\n\n\ndef upgrade():\n    ${upgrade}\n\n\ndef downgrade():\n    ${downgrade}\n`;
const rule = 'migrations';

describe('migrations, judged by what they do', () => {
  it('passes reversible SQL pairs and Alembic revisions, whatever their downgrades drop', async () => {
    const report = await review(
      makeProject({
        'db/migrations/001_items.up.sql': 'CREATE TABLE items (id int);\n',
        'db/migrations/001_items.down.sql': 'DROP TABLE items;\n',
        'alembic/versions/a1_add.py': alembic('a1', 'op.add_column("items", sa.Column("x", sa.Integer()))', 'op.drop_column("items", "x")'),
      }),
    );
    expect(findingsOf(report, rule)).toEqual([]);
    expect(checkOf(report, rule).detail).toMatch(/^2 migration\(s\) in .*; 2 of 2 migration\(s\) pending: a new database: nothing applied; 2 of 2 pending reversible$/);
  });

  it('a destructive migration is a BLOCKER even with a downgrade: the downgrade cannot bring the rows back', async () => {
    const report = await review(
      makeProject({
        'migrations/002_drop.up.sql': 'ALTER TABLE items ADD COLUMN y int;\nDROP TABLE old_items;\n',
        'migrations/002_drop.down.sql': 'CREATE TABLE old_items (id int);\n',
        'alembic/versions/b2_drop.py': alembic('b2', 'op.drop_column("items", "legacy")', 'pass'),
      }),
    );
    const finding = report.findings.find((f) => f.rule === rule && f.severity === 'BLOCKER');
    expect(finding?.title).toBe('Destructive migrations without a safety plan');
    expect(finding?.evidence.split('\n').map((l) => l.split(': ')[0])).toEqual(['alembic/versions/b2_drop.py:13', 'migrations/002_drop.up.sql:2']);
    expect(finding?.evidence).toContain('a downgrade exists, but it cannot bring the data back');
    expect(report.verdict).toBe('BLOCKED');
  });

  it('full-table UPDATEs and re-created keys are HIGH although the revision has a downgrade (the scan sees them too)', async () => {
    const upgrade = [
      'op.drop_constraint("orders_pkey", "orders", type_="primary")',
      'op.execute("UPDATE orders SET total = total * 100")',
      'op.execute("UPDATE order_items SET price = price * 100")',
      'op.alter_column("orders", "total", type_=sa.BigInteger())',
      'op.create_primary_key("orders_pkey", "orders", ["id", "region"])',
    ].join('\n    ');
    const report = await review(makeProject({ '_migrations/versions/c3_cents.py': alembic('c3', upgrade, 'op.alter_column("orders", "total", type_=sa.Integer())') }));
    const titles = findingsOf(report, rule);
    expect(titles.some((t) => /^HIGH \d+ operations in pending migrations rewrite or lock tables$/.test(t))).toBe(true);
    const high = report.findings.find((f) => f.rule === rule && f.severity === 'HIGH');
    expect(high?.evidence).toContain('_migrations/versions/c3_cents.py:14: update-without-where');
    expect(high?.evidence).toContain('_migrations/versions/c3_cents.py:15: update-without-where');
  });

  it('a downgrade that drops a constraint named None cannot run', async () => {
    const report = await review(
      makeProject({ 'db/versions/d4_fk.py': alembic('d4', 'op.create_foreign_key(None, "orders", "users", ["user_id"], ["id"], postgresql_not_valid=True)', 'op.drop_constraint(None, "orders", type_="foreignkey")') }),
    );
    expect(findingsOf(report, rule)).toEqual(['HIGH 1 downgrade step cannot run']); // NOT VALID: the foreign key itself takes no long lock
    expect(report.findings.find((f) => f.rule === rule)?.evidence).toContain('db/versions/d4_fk.py:17: op.drop_constraint(None, "orders", type_="foreignkey")');
  });

  it('takes a safety note or a document naming the migration as a plan', async () => {
    const report = await review(
      makeProject({
        'migrations/003_note.up.sql': '-- safety: old_a was emptied in 2.0 and is in the nightly backup\nDROP TABLE old_a;\n',
        'migrations/004_marker.up.sql': 'DROP TABLE old_b; -- safety-exception: reviewed by ops\n',
        'migrations/005_documented.up.sql': 'DROP TABLE old_c;\n',
        'docs/db-changes.md': '# Schema changes\n\n005_documented.up.sql drops old_c: restore it from the 2024-05-01 backup if needed.\n',
      }),
    );
    expect(findingsOf(report, rule)).toEqual(['HIGH 3 pending migrations cannot be rolled back']);
  });

  it('reviews Django and JavaScript migrations', async () => {
    const report = await review(
      makeProject({
        'orders/migrations/__init__.py': '',
        'orders/migrations/0001_initial.py': 'from django.db import migrations\n\nclass Migration(migrations.Migration):\n    operations = [migrations.RunPython(forwards, reverse_code=migrations.RunPython.noop)]\n',
        'orders/migrations/0002_backfill.py': 'from django.db import migrations\n\nclass Migration(migrations.Migration):\n    operations = [migrations.RunPython(forwards)]\n',
        'orders/migrations/0003_drop.py': 'from django.db import migrations\n\nclass Migration(migrations.Migration):\n    operations = [migrations.RunSQL("DROP TABLE legacy")]\n',
        'src/migrations/20240101_users.js': 'exports.up = (knex) => knex.schema.createTable("users", (t) => t.increments());\nexports.down = (knex) => knex.schema.dropTable("users");\n',
        'src/migrations/20240201_cleanup.js': 'exports.up = async (knex) => {\n  await knex.schema.dropTable("sessions");\n};\nexports.down = async () => {};\n',
        'src/migrations/20240301_index.ts': 'export async function up(knex) {\n  await knex.raw("CREATE INDEX i ON users (email)");\n}\n',
      }),
    );
    const bySeverity = Object.fromEntries(report.findings.filter((f) => f.rule === rule).map((f) => [f.severity, f.evidence]));
    expect(bySeverity.BLOCKER?.split('\n')).toEqual([
      'orders/migrations/0003_drop.py:4: drop-table: DROP TABLE deletes the table and every row in it (no way back: RunSQL at line 4 has no reverse_sql)',
      'src/migrations/20240201_cleanup.js:2: dropTable: dropTable() drops stored data (no way back: down() does nothing)',
    ]);
    expect(report.findings.find((f) => f.rule === rule && f.title.endsWith('cannot be rolled back'))?.evidence.split('\n')).toEqual([
      'orders/migrations/0002_backfill.py: RunPython at line 4 has no reverse_code',
      'src/migrations/20240301_index.ts: no down()',
    ]);
  });

  it('treats Prisma migrations as irreversible and reviews only the given migrations folder', async () => {
    const dir = makeProject({
      'prisma/migrations/20240101_init/migration.sql': 'CREATE TABLE "User" (id int);\n',
      'prisma/migrations/20240201_drop/migration.sql': 'ALTER TABLE "User" DROP COLUMN "legacy";\n',
      'other/migrations/001_x.up.sql': 'DROP TABLE z;\n',
    });
    const report = await review(dir, { migrationsPath: 'prisma/migrations' });
    expect(findingsOf(report, rule)).toEqual(['BLOCKER Destructive migration without a safety plan', 'HIGH 1 pending migration cannot be rolled back']);
    expect(report.findings.find((f) => f.rule === rule)?.location).toBe('prisma/migrations/20240201_drop/migration.sql:1');
    await expect(review(dir, { migrationsPath: 'nope' })).rejects.toThrow(InputError);
  });

  it('does not apply without migrations, and skips those of tests and examples', async () => {
    const report = await review(makeProject({ 'app.py': 'print(1)\n', 'tests/fixtures/migrations/001_x.up.sql': 'DROP TABLE a;\n', 'examples/migrations/001_y.up.sql': 'DROP TABLE b;\n' }));
    expect(checkOf(report, rule).status).toBe('not-applicable');
  });
});

describe('pending and applied migrations', () => {
  const files = {
    'alembic/versions/a1_init.py': alembic('a1', 'op.create_table("t", sa.Column("id", sa.Integer()))', 'op.drop_table("t")'),
    'alembic/versions/b2_drop_old.py': alembic('b2', 'op.drop_table("old")', 'pass', '"a1"'),
    'alembic/versions/c3_add.py': alembic('c3', 'op.add_column("t", sa.Column("x", sa.Integer()))', 'op.drop_column("t", "x")', '"b2"'),
  };

  it('a DROP TABLE applied long ago is no BLOCKER when migrate_status says it is applied (ancestors of the head included)', async () => {
    const dir = makeProject(files);
    const all = await review(dir);
    expect(all.blocked).toBe(true);
    expect(all.migrations.basis).toBe('3 of 3 migration(s) pending: a new database: nothing applied');
    // Nothing known: no BLOCKER on a migration that may have been applied years ago; the report says so.
    const unknown = await reviewProject(dir);
    expect(findingsOf(unknown, rule)).toEqual(['MEDIUM Destructive migration without a safety plan (whether pending is not known)']);
    expect(unknown.migrations.basis).toMatch(/^which of the 3 migration\(s\) are pending is not known/);
    expect(checkOf(unknown, rule).status).toBe('not-assessed');
    const known = await review(dir, { appliedMigrations: { basis: 'migrate_status of production', applied: ['b2'] } });
    expect(findingsOf(known, rule)).toEqual([]);
    expect(known.migrations).toEqual({ basis: '1 of 3 migration(s) pending: migrate_status of production', pending: 1, applied: 2 });
  });

  it('takes the migrations changed since the last deployed tag as pending', async () => {
    const dir = makeProject(files);
    const report = await review(dir, { appliedMigrations: { basis: 'changed since tag v1.0.0 (last deployed to production)', changedFiles: [`${dir}/alembic/versions/c3_add.py`] } });
    expect(findingsOf(report, rule)).toEqual([]);
    expect(report.migrations.basis).toBe('1 of 3 migration(s) pending: changed since tag v1.0.0 (last deployed to production)');
  });
});
