import { stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors.js';
import type { Environment } from '../workspace/environment.js';
import type { Finding, MigrationCheck, MigrationReport, ScanOptions } from './finding.js';
import { withSyntaxTree } from '../parsing/parse-source.js';
import { indexPythonFile, scanPythonCalls } from './code/scan-python.js';
import { analyzeAlembic } from './migrations/analyze-alembic.js';
import { type FoundFile, type FoundMigration, groupMigrations } from './migrations/group-migrations.js';
import { type RuleSet, loadRulePacks } from './rule-pack.js';
import { type FoundFile as ListedFile, collectFiles, readFoundFile } from './scan-paths.js';
import { LineIndex } from './line-index.js';
import { withPgParser } from './sql/parse-postgres.js';
import { readFolderDialect } from './sql/detect-dialect.js';
import { isUnread } from './finding.js';
import { checkCodeMigration, readCodeKind } from './migrations/check-code-migration.js';
import { NOT_UNDERSTOOD } from './migrations/migration-path.js';
import { scanSql } from './sql/scan-sql.js';
import { splitStatements } from './sql/split-statements.js';

/** Rules about reverting: errors for production, warnings elsewhere. */
const REVERSIBILITY_RULES = new Set(['missing-downgrade', 'empty-downgrade', 'irreversible-downgrade', 'missing-down-file']);

/**
 * Checks every migration under `dir` for an environment: upgrade and downgrade present (a down file
 * for each up file), SQL rules on both directions. Errors: a missing upgrade, an unsuppressed
 * CRITICAL finding, and (production) a migration that cannot be reverted.
 */
export async function validateMigrations(
  dir: string,
  options: ScanOptions & { environment: Environment },
  onMigration?: (check: MigrationCheck) => void,
): Promise<MigrationReport> {
  const absolute = path.resolve(options.cwd ?? process.cwd(), dir);
  const st = await stat(absolute).catch(() => undefined);
  if (!st) throw new InputError(`${dir}: no such directory`);
  if (!st.isDirectory()) throw new InputError(`${dir}: not a directory (give the folder that holds the migrations)`);
  const rules = await loadRulePacks(options.rulePackDirs);
  const listed = collectFiles([dir], options.cwd, (f) => {
    const base = path.basename(f);
    return base !== '__init__.py' && base !== 'env.py';
  });
  // Each file is read when it is needed and let go after: a folder is never held in memory whole.
  const unreadable: Finding[] = [];
  const files: FoundFile[] = [];
  const codeKinds = new Map<FoundFile, 'alembic' | 'django' | 'javascript' | 'unread'>();
  for (const f of listed) {
    const read = readFoundFile(f);
    if ('error' in read) {
      const finding = rules.makeFinding('unreadable-file', { file: f.display, line: 1, detail: read.error }, options);
      if (finding) unreadable.push(finding);
      continue;
    }
    const file = withTextOnDemand(f);
    const codeKind = await readCodeKind(f, read.text);
    if (codeKind) codeKinds.set(file, codeKind);
    files.push(file);
  }
  const { migrations: found, others } = groupMigrations(files, (f) => codeKinds.get(f));
  const migrations: MigrationCheck[] = [];
  const errors: Finding[] = [];
  const warnings: Finding[] = [];
  const judge = (f: Finding): void => {
    (isError(f, options) ? errors : warnings).push(f);
  };
  unreadable.forEach(judge);
  for (const m of found) {
    const check = await withPgParser(() => checkMigration(m, rules, options));
    check.findings.forEach(judge);
    if (onMigration) onMigration(check);
    else migrations.push(check);
  }
  for (const f of others) {
    const text = f.text;
    for (const finding of (await withPgParser(() => scanSql({ text, file: f.display, rules, options, ...hintFor(f, options) }))).findings) judge(finding);
  }
  return { ok: errors.length === 0, environment: options.environment, migrations, errors, warnings };
}

/** The file with a `text` that reads it again from disk on each use (it was readable when listed). */
function withTextOnDemand(file: ListedFile): FoundFile {
  return Object.defineProperty({ ...file }, 'text', {
    enumerable: true,
    get(): string {
      const read = readFoundFile(file);
      if ('error' in read) throw new InputError(`${file.display}: changed while it was being checked (${read.error}); run the check again`);
      return read.text;
    },
  }) as FoundFile;
}

function isError(f: Finding, options: ScanOptions & { environment: Environment }): boolean {
  const { environment } = options;
  if (f.suppressed) return false;
  if (isUnread(f)) return !options.allowUnread;
  if (f.rule === 'missing-upgrade' || f.severity === 'CRITICAL') return true;
  return REVERSIBILITY_RULES.has(f.rule) && environment === 'production';
}

async function checkMigration(m: FoundMigration, rules: RuleSet, options: ScanOptions): Promise<MigrationCheck> {
  const structural = (rule: string, file: FoundFile, detail?: string): Finding[] => {
    const f = rules.makeFinding(rule, { file: file.display, line: 1, ...(detail ? { detail } : {}) }, options);
    return f ? [f] : [];
  };
  switch (m.kind) {
    case 'unread':
      return { file: m.up.display, kind: 'unread', upgrade: false, downgrade: false, reversible: false, findings: structural('unreadable-file', m.up, NOT_UNDERSTOOD) };
    case 'django':
    case 'javascript':
      return checkCodeMigration(m.kind, m.up, rules, options);
    case 'alembic': {
      const text = m.up.text;
      return withSyntaxTree('python', text, (tree): MigrationCheck => {
        const py = indexPythonFile(tree, text);
        const input = { text, file: m.up.display, rules, options };
        const a = analyzeAlembic(input, py);
        const downgrade = a.downgrade === 'present' || a.downgrade === 'raises';
        return {
          file: m.up.display,
          kind: 'alembic',
          upgrade: a.upgrade,
          downgrade,
          reversible: a.downgrade === 'present',
          findings: [...a.structure, ...a.operations, ...scanPythonCalls(input, py)].sort((x, y) => x.line - y.line),
          ...(a.revision ? { version: a.revision } : {}),
        };
      });
    }
    case 'sql-single': {
      const text = m.up.text;
      const scanned = scanSql({ text, file: m.up.display, rules, options, ...hintFor(m.up, options) });
      const upgrade = hasStatements(text, m.upRange);
      const downgrade = m.downRange !== undefined && hasStatements(text, m.downRange);
      const lines = new LineIndex(text);
      const within = (line: number, range: [number, number] | undefined): boolean =>
        range !== undefined && line >= lines.lineOf(range[0]) && line <= lines.lineOf(Math.max(range[0], range[1] - 1));
      const findings = scanned.findings.map((f): Finding => {
        if (within(f.line, m.upRange)) return { ...f, direction: 'upgrade' };
        return within(f.line, m.downRange) ? { ...f, direction: 'downgrade' } : f;
      });
      if (!upgrade) findings.push(...structural('missing-upgrade', m.up, 'the up section has no statements'));
      if (!m.downRange) findings.push(...structural('missing-down-file', m.up, 'no down migration'));
      else if (!downgrade) findings.push(...structural('empty-downgrade', m.up, 'the down section has no statements'));
      return { file: m.up.display, kind: 'sql-pair', upgrade, downgrade, reversible: downgrade, findings, downFile: m.up.display, ...readVersion(m.up) };
    }
    case 'sql-pair':
    case 'flyway': {
      const findings: Finding[] = [];
      const upText = m.up?.text;
      const downText = m.down?.text;
      const up = m.up && upText !== undefined ? scanSql({ text: upText, file: m.up.display, rules, options, ...hintFor(m.up, options) }) : undefined;
      const down =
        m.down && downText !== undefined
          ? scanSql({ text: downText, file: m.down.display, rules, options, createdBefore: up?.created ?? [], addedBefore: up?.added ?? [], ...hintFor(m.down, options) })
          : undefined;
      findings.push(...(up?.findings ?? []).map((f): Finding => ({ ...f, direction: 'upgrade' })));
      findings.push(...(down?.findings ?? []).map((f): Finding => ({ ...f, direction: 'downgrade' })));
      const upgrade = upText !== undefined && hasStatements(upText);
      const downgrade = downText !== undefined && hasStatements(downText);
      const file = m.up ?? m.down;
      if (!file) throw new Error('a migration with neither an up nor a down file');
      if (!upgrade) findings.push(...structural('missing-upgrade', file, m.up ? 'the up file has no statements' : 'no up file for this down file'));
      const repeatable = m.kind === 'flyway' && m.repeatable;
      if (!m.down && !repeatable) findings.push(...structural('missing-down-file', file));
      else if (m.down && !downgrade) findings.push(...structural('empty-downgrade', m.down, 'the down file has no statements'));
      return {
        file: file.display,
        kind: m.kind,
        upgrade,
        downgrade,
        reversible: upgrade && downgrade,
        findings,
        ...(m.down ? { downFile: m.down.display } : {}),
        ...(m.kind === 'flyway' && m.version ? { version: m.version } : readVersion(file)),
      };
    }
  }
}

/** The dialect a migration's folder suggests, unless --dialect settles it. */
function hintFor(file: { absolute: string }, options: ScanOptions): { dialectHint?: 'postgres' | 'mysql' } {
  const hint = options.dialect ? undefined : readFolderDialect(file.absolute);
  return hint ? { dialectHint: hint } : {};
}

function hasStatements(text: string, range: [number, number] = [0, text.length]): boolean {
  return splitStatements(text, 'postgres', range[0], range[1]).statements.length > 0;
}

function readVersion(file: FoundFile): { version?: string } {
  const m = /^(\d+)/.exec(path.basename(file.absolute));
  if (m?.[1]) return { version: m[1] };
  const dirNumber = /^(\d+)/.exec(path.basename(path.dirname(file.absolute)));
  return dirNumber?.[1] ? { version: dirNumber[1] } : {};
}
