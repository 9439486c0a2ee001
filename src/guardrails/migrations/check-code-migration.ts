import { languageForPath, withSyntaxTree } from '../../parsing/parse-source.js';
import type { MigrationCheck, ScanOptions } from '../finding.js';
import type { RuleSet } from '../rule-pack.js';
import { indexPythonFile } from '../code/scan-python.js';
import { readCodeDialect } from '../scan-code-file.js';
import { isAlembicRevision } from './analyze-alembic.js';
import { analyzeDjango } from './analyze-django.js';
import { analyzeJsMigration } from './analyze-js-migration.js';
import { readDjangoOperations } from './django-operations.js';
import type { FoundFile } from './group-migrations.js';
import { readJsMigrationSteps } from './js-migration-steps.js';
import { isMigrationPath } from './migration-path.js';

// validate-migrations on code migrations: which reader a Python or JavaScript file is for, and the
// check of a Django or JavaScript migration (the same readers `scan` uses).

/** Which reader understands a code file in a migrations folder; `unread` when none does and it says it is a migration. */
export async function readCodeKind(file: { kind: string; absolute: string }, text: string): Promise<'alembic' | 'django' | 'javascript' | 'unread' | undefined> {
  if (file.kind === 'python') {
    const kind = await withSyntaxTree('python', text, (tree) => {
      if (isAlembicRevision(indexPythonFile(tree, text))) return 'alembic' as const;
      return readDjangoOperations(tree.rootNode) ? ('django' as const) : undefined;
    });
    return kind ?? (isMigrationPath(file.absolute) ? 'unread' : undefined);
  }
  if (file.kind === 'javascript') {
    const language = languageForPath(file.absolute) ?? 'javascript';
    const hasUp = await withSyntaxTree(language, text, (tree) => readJsMigrationSteps(tree).up !== undefined);
    if (hasUp) return 'javascript';
    return isMigrationPath(file.absolute) ? 'unread' : undefined;
  }
  return undefined;
}

/** A Django or JavaScript migration checked: its operations by the SQL rules, and whether it can be reverted. */
export async function checkCodeMigration(kind: 'django' | 'javascript', file: FoundFile, rules: RuleSet, options: ScanOptions): Promise<MigrationCheck> {
  const text = file.text;
  const input = { text, file: file.display, absolute: file.absolute, rules, options, kind: file.kind };
  const dialect = readCodeDialect(input);
  if (kind === 'django') {
    return withSyntaxTree('python', text, async (tree) => {
      const a = await analyzeDjango({ ...input, ...dialect }, indexPythonFile(tree, text));
      const findings = [...a.structure, ...a.operations].sort((x, y) => x.line - y.line);
      return { file: file.display, kind, form: 'Django', upgrade: true, downgrade: true, reversible: a.reversible, findings, ...readNumber(file) };
    });
  }
  const language = languageForPath(file.absolute) ?? 'javascript';
  return withSyntaxTree(language, text, (tree) => {
    const a = analyzeJsMigration({ ...input, ...dialect }, tree);
    const findings = [...a.structure, ...a.operations].sort((x, y) => x.line - y.line);
    const downgrade = a.downgrade === 'present' || a.downgrade === 'raises';
    return { file: file.display, kind, form: a.form, upgrade: a.upgrade, downgrade, reversible: a.downgrade === 'present', findings, ...readNumber(file) };
  });
}

function readNumber(file: FoundFile): { version?: string } {
  const m = /^(\d+)/.exec(file.absolute.split(/[\\/]/).pop() ?? '');
  return m?.[1] ? { version: m[1] } : {};
}
