import { existsSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../../errors.js';
import { findMigrationDirs } from '../migrations/find-migration-dirs.js';
import type { MigrationReview } from '../migrations/migration-review.js';
import { reviewDjangoMigrations } from '../migrations/review-django-migrations.js';
import { reviewGuardrailMigrations } from '../migrations/review-guardrail-migrations.js';
import { reviewJavaScriptMigrations } from '../migrations/review-javascript-migrations.js';
import type { ReviewContext } from '../review-context.js';
import type { DraftFinding } from '../types.js';
import { listEvidence, type ReadinessRule } from './rule.js';

// A written safety plan in the migration itself: `-- safety: …`, `# safety-plan: …`, "safety plan".
const SAFETY_NOTE = /^\s*(?:--|#|\/\/|\/?\*)\s*safety(?:[- ]plan)?\s*:|\bsafety[- ]plan\b/im;

/**
 * Migrations can be rolled back. A destructive migration (a CRITICAL/HIGH guardrail finding in its
 * upgrade, not suppressed by `safety-exception`) without a safety plan is a BLOCKER, where a plan
 * is any of: a downgrade that reverts it, a `safety:`/"safety plan" note in the migration, or a
 * document of the project that names the migration file.
 */
export const migrationsRule: ReadinessRule = {
  id: 'migrations-reversible',
  title: 'Reversible migrations',
  area: 'migrations',
  impact:
    'A migration that destroys or rewrites data, or that cannot be reverted, turns a bad release into data loss or an outage that a redeploy does not fix.',
  async run(ctx) {
    const failures: string[] = [];
    const reviews = await reviewMigrations(ctx, failures);
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
    if (reviews.length === 0) return failures.length > 0 ? { findings } : { findings: [], notApplicable: 'no migrations found' };
    const unsafe = reviews.filter((r) => r.destructive.length > 0 && !r.reversible && !safetyNote(ctx, r));
    if (unsafe.length > 0) {
      const first = unsafe[0] as MigrationReview;
      findings.push({
        rule: this.id,
        title: `Destructive migration${unsafe.length === 1 ? '' : 's'} without a safety plan`,
        severity: 'BLOCKER',
        location: `${first.file}:${first.destructive[0]?.line ?? 1}`,
        effort: 'M',
        evidence: listEvidence(
          unsafe.flatMap((r) => r.destructive.map((d) => `${r.file}:${d.line}: ${d.rule}: ${d.message} (cannot be rolled back: ${r.irreversibleBecause ?? 'no downgrade'})`)),
        ),
        recommendation:
          'Before deploying: write a downgrade, or a safety plan (a backup and restore procedure, an expand/contract sequence) as a `-- safety:` note in the migration or in the docs naming it; mark a reviewed statement with `safety-exception`.',
      });
    }
    const irreversible = reviews.filter((r) => !r.reversible && !unsafe.includes(r));
    if (irreversible.length > 0) {
      const first = irreversible[0] as MigrationReview;
      findings.push({
        rule: this.id,
        title: `${irreversible.length} migration${irreversible.length === 1 ? '' : 's'} cannot be rolled back`,
        severity: 'HIGH',
        location: `${first.file}:1`,
        effort: irreversible.length > 5 ? 'L' : 'M',
        evidence: listEvidence(irreversible.map((r) => `${r.file}: ${r.irreversibleBecause ?? 'no downgrade'}`)),
        recommendation: 'Give each migration a downgrade (a down file, downgrade(), reverse_code) that undoes it, so that a rollback of the release can take the schema back too.',
      });
    }
    const dirs = [...new Set(reviews.map((r) => path.posix.dirname(r.file)))];
    return { findings, passed: `${reviews.length} migration(s) in ${listEvidence(dirs, 3).replace(/\n/g, ', ')}, ${reviews.filter((r) => r.reversible).length} reversible` };
  },
};

async function reviewMigrations(ctx: ReviewContext, failures: string[]): Promise<MigrationReview[]> {
  const root = ctx.files.root;
  const read = (rel: string): string => ctx.files.text(rel);
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
  if (ctx.input.migrationsPath !== undefined) {
    const dir = path.relative(root, path.resolve(root, ctx.input.migrationsPath)) || '.';
    if (dir.startsWith('..')) throw new InputError(`migrations path '${ctx.input.migrationsPath}' leaves the project folder ${root}`);
    const rel = dir.split(path.sep).join('/');
    const inside = (f: string): boolean => rel === '.' || f === rel || f.startsWith(`${rel}/`);
    if (!existsSync(path.join(root, rel))) throw new InputError(`migrations path '${ctx.input.migrationsPath}': no such folder in ${root}`);
    const found = findMigrationDirs(ctx.files);
    const prismaFiles = ctx.files.files.filter((f) => inside(f.rel) && /(?:^|\/)prisma\/migrations\/.+\/migration\.sql$/.test(f.rel)).map((f) => f.rel);
    return [
      ...(await validate(rel, prismaFiles.length > 0 ? { prismaFiles } : {})),
      ...(await reviewDjangoMigrations(ctx.files, found.django.filter(inside))),
      ...(await reviewJavaScriptMigrations(ctx.files, found.javascript.filter(inside))),
    ];
  }
  const found = findMigrationDirs(ctx.files);
  const reviews: MigrationReview[] = [];
  for (const dir of found.guardrails) reviews.push(...(await validate(dir)));
  for (const dir of found.prisma) {
    const prismaFiles = ctx.files.files.filter((f) => f.rel.startsWith(`${dir}/`) && f.rel.endsWith('/migration.sql')).map((f) => f.rel);
    reviews.push(...(await validate(dir, { prismaFiles })));
  }
  reviews.push(...(await reviewDjangoMigrations(ctx.files, found.django)));
  reviews.push(...(await reviewJavaScriptMigrations(ctx.files, found.javascript)));
  return reviews;
}

/** The migration carries a safety note, or a document of the project names it. */
function safetyNote(ctx: ReviewContext, review: MigrationReview): boolean {
  if (SAFETY_NOTE.test(ctx.files.text(review.file))) return true;
  const base = path.posix.basename(review.file);
  const name = base === 'migration.sql' ? path.posix.basename(path.posix.dirname(review.file)) : base;
  return ctx.docs.some((d) => d.level === 0 && d.body.includes(name));
}
