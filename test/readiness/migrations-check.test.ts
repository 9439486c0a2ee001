import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { checkOf, findingsOf, makeProject, review } from './helpers/temp-project.js';

const alembic = (id: string, upgrade: string, downgrade: string, extra = ''): string =>
  `"""${id}\n\nRevision ID: ${id}\n"""\n${extra}from alembic import op\n\nrevision = "${id}"\ndown_revision = None\n\n\ndef upgrade():\n    ${upgrade}\n\n\ndef downgrade():\n    ${downgrade}\n`;

describe('reversible migrations', () => {
  it('passes reversible SQL pairs and Alembic revisions, whatever their downgrades drop', async () => {
    const report = await review(
      makeProject({
        'db/migrations/001_items.up.sql': 'CREATE TABLE items (id int);\n',
        'db/migrations/001_items.down.sql': 'DROP TABLE items;\n',
        'alembic/versions/a1_add.py': alembic('a1', 'op.add_column("items", sa.Column("x", sa.Integer()))', 'op.drop_column("items", "x")'),
      }),
    );
    expect(findingsOf(report, 'migrations-reversible')).toEqual([]);
    expect(checkOf(report, 'migrations-reversible').detail).toMatch(/^2 migration\(s\) in .*, 2 reversible$/);
  });

  it('is a BLOCKER for a destructive migration that cannot be rolled back, with its file:line', async () => {
    const report = await review(
      makeProject({
        'migrations/002_drop.up.sql': 'ALTER TABLE items ADD COLUMN y int;\nDROP TABLE old_items;\n',
        'alembic/versions/b2_drop.py': alembic('b2', 'op.drop_column("items", "legacy")', 'pass'),
      }),
    );
    const finding = report.findings.find((f) => f.rule === 'migrations-reversible');
    expect(finding?.severity).toBe('BLOCKER');
    expect(finding?.title).toBe('Destructive migrations without a safety plan');
    expect(finding?.evidence.split('\n').map((l) => l.split(': ')[0])).toEqual(['alembic/versions/b2_drop.py:12', 'migrations/002_drop.up.sql:2']);
    expect(finding?.location).toBe('alembic/versions/b2_drop.py:12');
    expect(report.blocked).toBe(true);
  });

  it('takes a safety note, a safety-exception marker or a document naming the migration as a plan', async () => {
    const report = await review(
      makeProject({
        'migrations/003_note.up.sql': '-- safety: old_a was emptied in 2.0 and is in the nightly backup\nDROP TABLE old_a;\n',
        'migrations/004_marker.up.sql': 'DROP TABLE old_b; -- safety-exception: reviewed by ops\n',
        'migrations/005_documented.up.sql': 'DROP TABLE old_c;\n',
        'docs/releases/2.1.md': '# 2.1\n\n005_documented.up.sql drops old_c: restore it from the 2024-05-01 backup if needed.\n',
      }),
    );
    expect(findingsOf(report, 'migrations-reversible')).toEqual(['HIGH 3 migrations cannot be rolled back']);
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
        'src/migrations/20240301_index.ts': 'export async function up(db) {\n  await db.raw("CREATE INDEX i ON users (email)");\n}\n',
      }),
    );
    const byTitle = Object.fromEntries(report.findings.filter((f) => f.rule === 'migrations-reversible').map((f) => [f.severity, f.evidence]));
    expect(byTitle.BLOCKER?.split('\n')).toEqual([
      'orders/migrations/0003_drop.py:4: drop-table: DROP TABLE deletes the table and every row in it (cannot be rolled back: RunSQL at line 4 has no reverse_sql)',
      'src/migrations/20240201_cleanup.js:2: dropTable: dropTable() drops stored data (cannot be rolled back: down() does nothing)',
    ]);
    expect(byTitle.HIGH?.split('\n')).toEqual([
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
    expect(findingsOf(report, 'migrations-reversible')).toEqual(['BLOCKER Destructive migration without a safety plan', 'HIGH 1 migration cannot be rolled back']);
    expect(report.findings.find((f) => f.rule === 'migrations-reversible')?.location).toBe('prisma/migrations/20240201_drop/migration.sql:1');
    await expect(review(dir, { migrationsPath: 'nope' })).rejects.toThrow(InputError);
  });

  it('does not apply without migrations, and skips those of tests and examples', async () => {
    const report = await review(makeProject({ 'tests/fixtures/migrations/001_x.up.sql': 'DROP TABLE a;\n', 'examples/migrations/001_y.up.sql': 'DROP TABLE b;\n' }));
    expect(checkOf(report, 'migrations-reversible').status).toBe('not-applicable');
  });
});
