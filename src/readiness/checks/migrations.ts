import { existsSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../../errors.js';
import { findMigrationDirs } from '../migrations/find-migration-dirs.js';
import { losesData, type MigrationReview } from '../migrations/migration-review.js';
import { pendingKnown, selectPending } from '../migrations/pending-migrations.js';
import { reviewDjangoMigrations } from '../migrations/review-django-migrations.js';
import { reviewGuardrailMigrations } from '../migrations/review-guardrail-migrations.js';
import { reviewJavaScriptMigrations } from '../migrations/review-javascript-migrations.js';
import type { ReviewContext } from '../review-context.js';
import type { LexedSource } from '../source/lexed-source.js';
import type { DraftFinding } from '../types.js';
import { listEvidence, type ReadinessRule } from './rule.js';

// A written safety plan in the migration itself: `-- safety: …`, `# safety-plan: …`, "safety plan".
const SAFETY_NOTE = /^\s*(?:--|#|\/\/|\/?\*)\s*safety(?:[- ]plan)?\s*:|\bsafety[- ]plan\b/im;

/**
 * Pending migrations judged by what they do, with the guardrails' scan: an operation that loses
 * data (DROP TABLE/COLUMN, TRUNCATE, DELETE without WHERE) is a BLOCKER without a safety plan —
 * a downgrade cannot bring rows back; locking or rewriting operations are HIGH/MEDIUM even with a
 * downgrade; migrations without a working downgrade are HIGH. A plan is a `safety:` note in the
 * migration or a document of the project naming the migration file.
 */
export const migrationsRule: ReadinessRule = {
  id: 'migrations',
  title: 'Pending migrations: what they do, and the way back',
  area: 'migrations',
  impact:
    'A migration that destroys or rewrites data, or locks a large table, turns a release into data loss or an outage that redeploying the previous version does not fix.',
  snippets: {
    fastapi: 'def upgrade():\n    # expand: rename first, drop in a later release once nothing reads it\n    op.alter_column("users", "legacy_field", new_column_name="_deprecated_legacy_field")',
    flask: 'def upgrade():\n    # expand: rename first, drop in a later release once nothing reads it\n    op.alter_column("users", "legacy_field", new_column_name="_deprecated_legacy_field")',
    django: 'operations = [\n    # keep the column one release longer; drop it once nothing reads it\n    migrations.RenameField("user", "legacy_field", "_deprecated_legacy_field"),\n]',
    default: '-- safety: table backed up to s3://backups/2026-11-30/legacy.dump (pg_dump -t legacy); restore with pg_restore -t legacy\nDROP TABLE legacy;',
  },
  async run(ctx) {
    const failures: string[] = [];
    const all = await reviewMigrations(ctx, failures);
    const findings: DraftFinding[] = [];
    if (failures.length > 0) {
      findings.push({
        rule: this.id,
        title: 'Migrations could not be validated',
        severity: 'MEDIUM',
        location: failures[0]?.split(': ')[0] ?? '',
        effort: 'S',
        evidence: listEvidence(failures),
        recommendation: 'Check these migrations by hand (or fix what the validator could not read) before deploying.',
      });
    }
    if (all.length === 0) {
      ctx.migrationState.basis = 'no migrations found';
      return failures.length > 0 ? { findings, notAssessed: 'the migrations could not be read' } : { findings: [], notApplicable: 'no migrations found' };
    }
    const { pending, basis } = selectPending(all, ctx.input.appliedMigrations, ctx.files.root, (rel) => ctx.files.text(rel));
    // Pending not known: a finding may be about a migration applied years ago; it is rated two steps lower and says so.
    const known = pendingKnown(ctx.input.appliedMigrations);
    Object.assign(ctx.migrationState, { basis, pending: pending.length, applied: all.length - pending.length });
    const unreadable = pending.flatMap((r) => (r.unreadable ?? []).map((line) => `${r.file}:${line}: SQL the scan could not read; nothing in it was checked`));
    if (unreadable.length > 0) {
      findings.push({
        rule: this.id,
        title: 'Pending migrations hold SQL that could not be checked',
        severity: 'MEDIUM',
        location: unreadable[0]?.split(': ')[0] ?? '',
        effort: 'S',
        evidence: listEvidence(unreadable),
        recommendation: 'Read these statements by hand before deploying (or write them so the PostgreSQL parser reads them: no templating inside the SQL).',
      });
    }
    const planned = (r: MigrationReview): boolean => safetyNote(ctx, r);
    const at = (r: MigrationReview, line: number, rule: string, message: string): string => `${r.file}:${line}: ${rule}: ${message}`;
    const loss = pending.flatMap((r) => (planned(r) ? [] : r.statements.filter(losesData).map((s) => ({ r, s }))));
    if (loss.length > 0) {
      findings.push({
        rule: this.id,
        title: `Destructive migration${new Set(loss.map((l) => l.r)).size === 1 ? '' : 's'} without a safety plan`,
        severity: 'BLOCKER',
        location: `${loss[0]!.r.file}:${loss[0]!.s.line}`,
        effort: 'M',
        evidence: listEvidence(loss.map(({ r, s }) => `${at(r, s.line, s.rule, s.message)}${r.reversible ? ' (a downgrade exists, but it cannot bring the data back)' : ` (no way back: ${r.irreversibleBecause ?? 'no downgrade'})`}`)),
        recommendation:
          'Before deploying: take and test a backup of what is dropped, or split the change (expand/contract: stop using it in this release, drop it in a later one); write the plan as a `-- safety:` note in the migration or in a document naming it; mark a reviewed statement with `safety-exception`.',
      });
    }
    const risky = pending.flatMap((r) => r.statements.filter((s) => !losesData(s) && s.severity !== 'MEDIUM').map((s) => ({ r, s })));
    if (risky.length > 0) {
      findings.push({
        rule: this.id,
        title: `${risky.length} operation${risky.length === 1 ? '' : 's'} in pending migrations rewrite or lock tables`,
        severity: 'HIGH',
        location: `${risky[0]!.r.file}:${risky[0]!.s.line}`,
        effort: risky.length > 5 ? 'L' : 'M',
        issue: 'Full-table UPDATEs, type changes, NOT NULL columns without a default and renames rewrite or lock whole tables: on a large table the release hangs the application for as long as they run, and a rename breaks the old code during a rollout or rollback.',
        evidence: listEvidence(risky.map(({ r, s }) => at(r, s.line, s.rule, s.message))),
        recommendation: 'Batch large updates (by primary key ranges, outside the migration transaction), add columns nullable and backfill, rename through expand/contract, and time the migration on a copy of production data.',
      });
    }
    const locking = pending.flatMap((r) => r.statements.filter((s) => s.severity === 'MEDIUM').map((s) => ({ r, s })));
    if (locking.length > 0) {
      findings.push({
        rule: this.id,
        title: `${locking.length} operation${locking.length === 1 ? '' : 's'} in pending migrations take blocking locks`,
        severity: 'MEDIUM',
        location: `${locking[0]!.r.file}:${locking[0]!.s.line}`,
        effort: 'S',
        issue: 'Index builds and constraint changes without CONCURRENTLY / NOT VALID block writes to the table while they run.',
        evidence: listEvidence(locking.map(({ r, s }) => at(r, s.line, s.rule, s.message))),
        recommendation: 'Create and drop indexes CONCURRENTLY (outside a transaction), add foreign keys NOT VALID and validate them separately.',
      });
    }
    const broken = pending.flatMap((r) => r.brokenDowngrade);
    if (broken.length > 0) {
      findings.push({
        rule: this.id,
        title: `${broken.length} downgrade step${broken.length === 1 ? '' : 's'} cannot run`,
        severity: 'HIGH',
        location: broken[0]?.split(': ')[0] ?? '',
        effort: 'S',
        issue: 'The migration looks reversible, but its downgrade fails when run: the rollback stops half-way, with the schema in neither version.',
        evidence: listEvidence(broken),
        recommendation: 'Name the constraints and indexes (in the model or with op.f("name")) and use the same names in the downgrade; run upgrade, downgrade, upgrade in CI.',
        snippet: 'op.drop_constraint("fk_orders_user_id_users", "orders", type_="foreignkey")',
      });
    }
    const lost = new Set(loss.map((l) => l.r));
    const irreversible = pending.filter((r) => !r.reversible && !lost.has(r));
    if (irreversible.length > 0) {
      findings.push({
        rule: this.id,
        title: `${irreversible.length} pending migration${irreversible.length === 1 ? '' : 's'} cannot be rolled back`,
        severity: 'HIGH',
        location: `${irreversible[0]!.file}:1`,
        effort: irreversible.length > 5 ? 'L' : 'M',
        evidence: listEvidence(irreversible.map((r) => `${r.file}: ${r.irreversibleBecause ?? 'no downgrade'}`)),
        recommendation: 'Give each migration a downgrade (a down file, downgrade(), reverse_code) that undoes it, so that a rollback of the release can take the schema back too.',
      });
    }
    const dirs = [...new Set(all.map((r) => path.posix.dirname(r.file)))];
    if (!known) for (const f of findings) lowerWhenPendingUnknown(f, basis);
    if (!known) return { findings, notAssessed: `which of the ${all.length} migration(s) are pending is not known (no migrate_status, no tag of the last deployed version, no git history)` };
    return { findings, passed: `${all.length} migration(s) in ${listEvidence(dirs, 3).replace(/\n/g, ', ')}; ${basis}; ${pending.filter((r) => r.reversible).length} of ${pending.length} pending reversible` };
  },
};

async function reviewMigrations(ctx: ReviewContext, failures: string[]): Promise<MigrationReview[]> {
  const root = ctx.files.root;
  const read = (rel: string): LexedSource => {
    const file = ctx.files.get(rel);
    return file ? ctx.files.lexed(file) : { text: '', code: '', strings: [], lineStarts: [0] };
  };
  const environment = ctx.input.environment;
  // One folder the validator cannot read does not stop the review of the others.
  const validate = async (dir: string, options: { prismaFiles?: string[] } = {}): Promise<MigrationReview[]> => {
    try {
      return await reviewGuardrailMigrations(root, dir, environment, read, options);
    } catch (e) {
      failures.push(`${dir}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
      return [];
    }
  };
  const found = findMigrationDirs(ctx.files);
  let inside = (_f: string): boolean => true;
  if (ctx.input.migrationsPath !== undefined) {
    const dir = path.relative(root, path.resolve(root, ctx.input.migrationsPath)) || '.';
    if (dir.startsWith('..')) throw new InputError(`migrations path '${ctx.input.migrationsPath}' leaves the project folder ${root}`);
    const rel = dir.split(path.sep).join('/');
    if (!existsSync(path.join(root, rel))) throw new InputError(`migrations path '${ctx.input.migrationsPath}': no such folder in ${root}`);
    inside = (f: string): boolean => rel === '.' || f === rel || f.startsWith(`${rel}/`) || rel.startsWith(`${f}/`);
  }
  const reviews: MigrationReview[] = [];
  const given = ctx.input.migrationsPath !== undefined ? path.relative(root, path.resolve(root, ctx.input.migrationsPath)).split(path.sep).join('/') || '.' : undefined;
  const dirs = found.guardrails.filter(inside);
  if (given !== undefined && dirs.length === 0 && found.prisma.filter(inside).length === 0) dirs.push(given);
  for (const dir of dirs) reviews.push(...(await validate(dir)));
  for (const dir of found.prisma.filter(inside)) {
    const prismaFiles = ctx.files.files.filter((f) => f.rel.startsWith(`${dir}/`) && f.rel.endsWith('/migration.sql')).map((f) => f.rel);
    reviews.push(...(await validate(dir, { prismaFiles })));
  }
  reviews.push(...(await reviewDjangoMigrations(ctx.files, found.django.filter(inside))));
  reviews.push(...(await reviewJavaScriptMigrations(ctx.files, found.javascript.filter(inside))));
  return reviews;
}

/** The migration carries a safety note, or a document of the project names it. */
function safetyNote(ctx: ReviewContext, review: MigrationReview): boolean {
  if (SAFETY_NOTE.test(ctx.files.text(review.file))) return true;
  const base = path.posix.basename(review.file);
  const name = base === 'migration.sql' ? path.posix.basename(path.posix.dirname(review.file)) : base;
  return ctx.docs.some((d) => d.level === 0 && d.body.includes(name));
}

// Two steps: a finding about a migration that may have been applied years ago is a thing to check, not a stop.
const LOWER: Record<DraftFinding['severity'], DraftFinding['severity']> = { BLOCKER: 'MEDIUM', HIGH: 'LOW', MEDIUM: 'LOW', LOW: 'LOW' };

function lowerWhenPendingUnknown(f: DraftFinding, basis: string): void {
  if (f.title.startsWith('Migrations could not') || f.title.startsWith('Pending migrations hold SQL')) return;
  f.severity = LOWER[f.severity];
  f.title = `${f.title} (whether pending is not known)`;
  f.evidence = `${f.evidence}\nPending: ${basis}.`;
}
