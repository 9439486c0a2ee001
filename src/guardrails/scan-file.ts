import path from 'node:path';
import { analyzeAlembic, isAlembicRevision } from './migrations/analyze-alembic.js';
import type { CodeScanInput } from './code/code-matchers.js';
import { languageForPath, parseSource } from '../parsing/parse-source.js';
import { scanJavaScript } from './code/scan-javascript.js';
import { indexPythonFile, scanPythonCalls } from './code/scan-python.js';
import { readDockerfileShell, readGitlabShell, readMakefileShell, readWorkflowShell } from './code/embedded-shell.js';
import { scanShell, scanShellPieces } from './code/scan-shell.js';
import type { Finding } from './finding.js';
import { readFolderDialect } from './sql/detect-dialect.js';
import { scanSql } from './sql/scan-sql.js';

export type FileKind = 'sql' | 'python' | 'javascript' | 'shell' | 'makefile' | 'dockerfile' | 'workflow' | 'gitlab-ci';

const EXTENSIONS: Record<string, FileKind> = {
  '.sql': 'sql',
  '.py': 'python',
  '.js': 'javascript',
  '.mjs': 'javascript',
  '.cjs': 'javascript',
  '.jsx': 'javascript',
  '.ts': 'javascript',
  '.tsx': 'javascript',
  '.mts': 'javascript',
  '.cts': 'javascript',
  '.sh': 'shell',
  '.bash': 'shell',
  '.zsh': 'shell',
  '.ksh': 'shell',
};

/** What a file is, by extension, or by its `#!` line when it has none. */
export function detectFileKind(file: string, head?: string): FileKind | undefined {
  const base = path.basename(file);
  if (/^(GNUmakefile|makefile|Makefile)$|\.mk$/.test(base)) return 'makefile';
  if (/^(Dockerfile|Containerfile)(\..+)?$|\.(dockerfile|containerfile)$/i.test(base)) return 'dockerfile';
  if (/\.ya?ml$/i.test(base) && /(^|[\\/])\.github[\\/]workflows[\\/]/.test(file)) return 'workflow';
  if (/^\.gitlab-ci\.ya?ml$/i.test(base) || (/\.ya?ml$/i.test(base) && /(^|[\\/])\.gitlab[\\/]ci[\\/]/.test(file))) return 'gitlab-ci';
  const byExt = EXTENSIONS[path.extname(file).toLowerCase()];
  if (byExt) return byExt;
  if (path.extname(file) === '' && head?.startsWith('#!')) {
    const shebang = head.slice(0, head.indexOf('\n') >>> 0);
    if (/\b(ba|z|k|da)?sh\b/.test(shebang)) return 'shell';
    if (/\bpython[0-9.]*\b/.test(shebang)) return 'python';
    if (/\b(node|deno|bun|tsx|ts-node)\b/.test(shebang)) return 'javascript';
  }
  return undefined;
}

export interface FileScanInput extends CodeScanInput {
  kind: FileKind;
  /** Where the file is on disk, for what its folder says about it (the SQL dialect). */
  absolute?: string;
  /** Tables created before this file: its up migration's, when this is a down migration. */
  createdBefore?: string[][];
  /** Columns and indexes its up migration added (`column:t.c`, `index:i`), when this is a down migration. */
  addedBefore?: string[];
}

export interface FileScanResult {
  findings: Finding[];
  /** Tables the file creates (SQL files), for its down migration's scratch check. */
  created: string[][];
  /** Columns and indexes the file adds (SQL files), for its down migration. */
  added?: string[];
  /** Where a parser rejected the text and a tolerant reading stood in. */
  parseErrors?: { line: number; message: string }[];
}

/** All the rules that apply to one file's text. */
export async function scanFile(input: FileScanInput): Promise<FileScanResult> {
  switch (input.kind) {
    case 'sql': {
      const hint = input.options.dialect || !input.absolute ? undefined : readFolderDialect(input.absolute);
      const result = scanSql({ ...input, ...(hint ? { dialectHint: hint } : {}) });
      return { findings: result.findings, created: result.created, added: result.added, parseErrors: result.rejected };
    }
    case 'python': {
      const tree = await parseSource('python', input.text);
      try {
        const py = indexPythonFile(tree, input.text);
        const findings = scanPythonCalls(input, py);
        if (isAlembicRevision(py)) {
          const alembic = analyzeAlembic(input, py);
          findings.push(...alembic.structure, ...alembic.operations);
        }
        return { findings, created: [] };
      } finally {
        tree.delete();
      }
    }
    case 'javascript':
      return { findings: await scanJavaScript(input, languageForPath(input.file) ?? 'javascript'), created: [] };
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
  }
}
