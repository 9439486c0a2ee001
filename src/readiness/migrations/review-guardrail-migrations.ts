import path from 'node:path';
import { validateMigrations, type Finding, type MigrationCheck } from '../../guardrails/index.js';
import type { Environment } from '../../workspace/environment.js';
import { lineAt, type LexedSource } from '../source/lexed-source.js';
import type { MigrationReview, MigrationStatement } from './migration-review.js';

// Findings about a migration's shape, not about what its statements do.
const STRUCTURE_RULES = new Set(['unparsed-sql', 'missing-upgrade', 'missing-downgrade', 'empty-downgrade', 'irreversible-downgrade', 'missing-description', 'missing-down-file']);

const WHY_NOT: Record<string, string> = {
  'missing-downgrade': 'no downgrade()',
  'empty-downgrade': 'the downgrade does nothing',
  'irreversible-downgrade': 'the downgrade only raises',
  'missing-down-file': 'no down migration',
};

// Alembic calls that fail when the constraint or index has no name (autogenerate writes None).
const UNNAMED_DROP = /\bop\.(?:drop_constraint|drop_index)\s*\(\s*(?:None|op\.f\(\s*None\s*\))\s*,/;

/**
 * Alembic and SQL migrations (and Prisma's), checked by the guardrails' validator: the same scan
 * as `scan`/`validate-migrations`. What the upgrade does counts (the downgrade may drop what the
 * upgrade made), unless a `safety-exception` marker suppresses it.
 */
export async function reviewGuardrailMigrations(
  projectPath: string,
  dir: string,
  environment: Environment,
  readSource: (rel: string) => LexedSource,
  options: { prismaFiles?: string[] } = {},
): Promise<MigrationReview[]> {
  const report = await validateMigrations(dir, { environment, cwd: projectPath });
  const reviews: MigrationReview[] = report.migrations.map((m) => reviewCheck(m, readSource));
  if (options.prismaFiles) {
    const byFile = new Map<string, Finding[]>();
    for (const f of [...report.errors, ...report.warnings]) byFile.set(normalize(f.file), [...(byFile.get(normalize(f.file)) ?? []), f]);
    for (const file of options.prismaFiles) {
      reviews.push({
        file,
        kind: 'prisma',
        reversible: false,
        irreversibleBecause: 'Prisma Migrate has no down migrations',
        statements: statementsOf(byFile.get(file) ?? [], () => true),
        brokenDowngrade: [],
      });
    }
  }
  return reviews;
}

function reviewCheck(m: MigrationCheck, readSource: (rel: string) => LexedSource): MigrationReview {
  const file = normalize(m.file);
  const source = readSource(file);
  const text = source.text;
  const inUpgrade = upgradeFilter(m, source);
  const review: MigrationReview = { file, kind: m.kind, reversible: m.reversible, statements: statementsOf(m.findings, inUpgrade), brokenDowngrade: [] };
  // Only what reads as a statement: an expression such as sa.text('uuid_generate_v4()') is no SQL to check.
  const unreadable = m.findings
    .filter((f) => f.rule === 'unparsed-sql' && !f.suppressed && inUpgrade(f) && /^\s*(?:select|insert|update|delete|create|alter|drop|truncate|grant|revoke|with|merge|copy|comment|rename)\b/i.test(f.statement ?? f.target ?? ''))
    .map((f) => f.line);
  if (unreadable.length > 0) review.unreadable = unreadable;
  if (m.kind === 'alembic') {
    const down = downgradeLines(source);
    if (down) {
      text.split('\n').forEach((line, i) => {
        if (i + 1 >= down[0] && i + 1 <= down[1] && UNNAMED_DROP.test(line)) review.brokenDowngrade.push(`${file}:${i + 1}: ${line.trim()} (a constraint named None cannot be dropped: the downgrade fails)`);
      });
    }
  }
  if (!m.reversible) {
    const why = m.findings.find((f) => WHY_NOT[f.rule]);
    // A code migration's finding says why in its own words (`Django RunPython without reverse_code`, `Knex: no down`).
    const own = why && m.kind !== 'alembic' ? /\(([^()]*)\)$/.exec(why.message)?.[1] : undefined;
    review.irreversibleBecause = why ? (own ?? WHY_NOT[why.rule] ?? why.message) : 'it cannot be reverted';
  }
  return review;
}

function statementsOf(findings: Finding[], inUpgrade: (f: Finding) => boolean): MigrationStatement[] {
  return findings
    .filter((f) => !f.suppressed && !STRUCTURE_RULES.has(f.rule) && f.severity !== 'LOW' && (f.direction ? f.direction === 'upgrade' : inUpgrade(f)))
    .map((f) => ({ line: f.line, rule: f.rule, message: f.message, severity: f.severity }));
}

/** Tells the upgrade's findings from the downgrade's: by file (SQL pairs), section (dbmate/goose) or function (Alembic). */
function upgradeFilter(m: MigrationCheck, source: LexedSource): (f: Finding) => boolean {
  const text = source.text;
  if (m.kind === 'alembic') {
    const down = downgradeLines(source);
    return (f) => !down || f.line < down[0] || f.line > down[1];
  }
  if (m.downFile && m.downFile !== m.file) return (f) => f.file !== m.downFile;
  const marker = /^[ \t]*--[ \t]*(?:migrate:down|\+goose[ \t]+Down)\b/im.exec(text);
  if (!marker) return () => true;
  const downLine = text.slice(0, marker.index).split('\n').length;
  return (f) => f.line < downLine;
}

/** First and last line of a top-level `def downgrade`, if there is one. */
function downgradeLines(source: LexedSource): [number, number] | undefined {
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
