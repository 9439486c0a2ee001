import { analyzeAlembic, isAlembicRevision } from './migrations/analyze-alembic.js';
import { languageForPath, parseSource, withSyntaxTree } from '../parsing/parse-source.js';
import { analyzeJsMigration } from './migrations/analyze-js-migration.js';
import { analyzeDjango } from './migrations/analyze-django.js';
import { NOT_UNDERSTOOD, isMigrationPath } from './migrations/migration-path.js';
import { type SqlDialect, readFolderDialect, readPostgresFamily } from './sql/detect-dialect.js';
import { scanJavaScript } from './code/scan-javascript.js';
import { indexPythonFile, scanPythonCalls } from './code/scan-python.js';
import { readDockerfileShell, readGitlabShell, readMakefileShell, readWorkflowShell } from './code/embedded-shell.js';
import { scanShell, scanShellPieces } from './code/scan-shell.js';
import type { FileScanInput, FileScanResult } from './file-scan.js';

// The code side of scanFile: loaded with the first code file, so a folder of SQL migrations
// never loads the code scanners or tree-sitter.

/** A JavaScript file that says it is a migration without sitting in a migrations folder. */
const JS_MIGRATION_TEXT = /\bexports\.up\s*=|\bexport\s+(async\s+)?function\s+up\b|\bexport\s+const\s+up\b|\bimplements\s+MigrationInterface\b/;

/** The dialect of the SQL a code migration runs: --dialect, else what its name and folder say, else undefined (Postgres). */
export function readCodeDialect(input: FileScanInput): { dialect?: SqlDialect } {
  if (input.options.dialect) return { dialect: input.options.dialect };
  const where = input.absolute ?? input.file;
  const family = readPostgresFamily(where, '');
  if (family) return { dialect: family };
  const folder = input.absolute ? readFolderDialect(input.absolute) : undefined;
  return folder ? { dialect: folder } : {};
}

/** The rules that apply to a code file (anything scanFile does not read as SQL). */
export async function scanCodeFile(input: FileScanInput): Promise<FileScanResult> {
  switch (input.kind) {
    case 'python': {
      const tree = await parseSource('python', input.text);
      try {
        const py = indexPythonFile(tree, input.text);
        const findings = scanPythonCalls(input, py);
        if (isAlembicRevision(py)) {
          const alembic = analyzeAlembic(input, py);
          findings.push(...alembic.structure, ...alembic.operations);
          return { findings, created: [] };
        }
        const django = await analyzeDjango({ ...input, ...readCodeDialect(input) }, py);
        if (django.isMigration) return { findings: [...findings, ...django.structure, ...django.operations].sort((a, b) => a.line - b.line), created: [] };
        return isMigrationPath(input.absolute ?? input.file) ? { findings, created: [], unread: NOT_UNDERSTOOD } : { findings, created: [] };
      } finally {
        tree.delete();
      }
    }
    case 'javascript': {
      const language = languageForPath(input.file) ?? 'javascript';
      const findings = await scanJavaScript(input, language);
      const where = input.absolute ?? input.file;
      if (!isMigrationPath(where) && !JS_MIGRATION_TEXT.test(input.text)) return { findings, created: [] };
      const migration = await withSyntaxTree(language, input.text, (tree) => analyzeJsMigration({ ...input, ...readCodeDialect(input) }, tree));
      if (!migration.isMigration) {
        return isMigrationPath(where) ? { findings, created: [], unread: NOT_UNDERSTOOD } : { findings, created: [] };
      }
      return { findings: [...findings, ...migration.operations].sort((a, b) => a.line - b.line), created: [] };
    }
    case 'shell':
      return { findings: scanShell(input), created: [] };
    case 'makefile':
      return { findings: scanShellPieces(input, readMakefileShell(input.text)), created: [] };
    case 'workflow':
      return { findings: scanShellPieces(input, readWorkflowShell(input.text)), created: [] };
    case 'gitlab-ci':
      return { findings: scanShellPieces(input, readGitlabShell(input.text)), created: [] };
    case 'dockerfile': {
      const run = readDockerfileShell(input.text);
      return { findings: scanShellPieces(input, run.pieces, run.commands), created: [] };
    }
    case 'sql':
      throw new Error('scanCodeFile was given a SQL file');
  }
}
