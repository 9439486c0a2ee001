import path from 'node:path';
import { validateMigrations, type Finding, type MigrationCheck } from '../../guardrails/index.js';
import type { Environment } from '../../workspace/environment.js';
import { lexPython } from '../source/lex-python.js';
import { lineAt } from '../source/lexed-source.js';
import type { DestructiveStatement, MigrationReview } from './migration-review.js';

// Findings about a migration's shape, not about what its statements do.
const STRUCTURE_RULES = new Set(['missing-upgrade', 'missing-downgrade', 'empty-downgrade', 'irreversible-downgrade', 'missing-description', 'missing-down-file']);

const WHY_NOT: Record<string, string> = {
  'missing-downgrade': 'no downgrade()',
  'empty-downgrade': 'the downgrade does nothing',
  'irreversible-downgrade': 'the downgrade only raises',
  'missing-down-file': 'no down migration',
};

/**
 * Alembic and SQL migrations (and Prisma's), checked by the guardrails' validator. A statement
 * counts as destructive when the validator rates it CRITICAL or HIGH, it is not suppressed by a
 * `safety-exception` marker, and it is in the upgrade (a downgrade may drop what the upgrade made).
 */
export async function reviewGuardrailMigrations(
  projectPath: string,
  dir: string,
  environment: Environment,
  readText: (rel: string) => string,
  options: { prismaFiles?: string[] } = {},
): Promise<MigrationReview[]> {
  const report = await validateMigrations(dir, { environment, cwd: projectPath });
  const reviews: MigrationReview[] = report.migrations.map((m) => reviewCheck(m, readText));
  if (options.prismaFiles) {
    const byFile = new Map<string, Finding[]>();
    for (const f of [...report.errors, ...report.warnings]) byFile.set(normalize(f.file), [...(byFile.get(normalize(f.file)) ?? []), f]);
    for (const file of options.prismaFiles) {
      const findings = byFile.get(file) ?? [];
      reviews.push({
        file,
        kind: 'prisma',
        reversible: false,
        irreversibleBecause: 'Prisma Migrate has no down migrations',
        destructive: destructiveOf(findings, () => true),
      });
    }
  }
  return reviews;
}

function reviewCheck(m: MigrationCheck, readText: (rel: string) => string): MigrationReview {
  const file = normalize(m.file);
  const inUpgrade = upgradeFilter(m, readText(file));
  const review: MigrationReview = { file, kind: m.kind, reversible: m.reversible, destructive: destructiveOf(m.findings, inUpgrade) };
  if (!m.reversible) {
    const why = m.findings.find((f) => WHY_NOT[f.rule]);
    review.irreversibleBecause = why ? (WHY_NOT[why.rule] ?? why.message) : 'it cannot be reverted';
  }
  return review;
}

function destructiveOf(findings: Finding[], inUpgrade: (f: Finding) => boolean): DestructiveStatement[] {
  return findings
    .filter((f) => !f.suppressed && !STRUCTURE_RULES.has(f.rule) && (f.severity === 'CRITICAL' || f.severity === 'HIGH') && inUpgrade(f))
    .map((f) => ({ line: f.line, rule: f.rule, message: f.message }));
}

/** Tells the upgrade's findings from the downgrade's: by file (SQL pairs), section (dbmate/goose) or function (Alembic). */
function upgradeFilter(m: MigrationCheck, text: string): (f: Finding) => boolean {
  if (m.kind === 'alembic') {
    const down = downgradeLines(text);
    return (f) => !down || f.line < down[0] || f.line > down[1];
  }
  if (m.downFile && m.downFile !== m.file) return (f) => f.file !== m.downFile;
  const marker = /^[ \t]*--[ \t]*(?:migrate:down|\+goose[ \t]+Down)\b/im.exec(text);
  if (!marker) return () => true;
  const downLine = text.slice(0, marker.index).split('\n').length;
  return (f) => f.line < downLine;
}

/** First and last line of a top-level `def downgrade`, if there is one. */
function downgradeLines(text: string): [number, number] | undefined {
  const source = lexPython(text);
  const def = /^(?:async[ \t]+)?def[ \t]+downgrade\b/m.exec(source.code);
  if (!def) return undefined;
  const next = /^[^\s#]/gm;
  next.lastIndex = source.code.indexOf('\n', def.index) + 1;
  const after = next.exec(source.code);
  return [lineAt(source, def.index), after ? lineAt(source, after.index) - 1 : source.lineStarts.length];
}

function normalize(file: string): string {
  return file.split(path.sep).join('/').replace(/^\.\//, '');
}
