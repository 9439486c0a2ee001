import path from 'node:path';
import type { FileKind, FileScanInput, FileScanResult } from './file-scan.js';
import { readFolderDialect } from './sql/detect-dialect.js';
import { scanSql } from './sql/scan-sql.js';

export type { FileKind, FileScanInput, FileScanResult } from './file-scan.js';

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

/** All the rules that apply to one file's text. */
export async function scanFile(input: FileScanInput): Promise<FileScanResult> {
  switch (input.kind) {
    case 'sql': {
      const hint = input.options.dialect || !input.absolute ? undefined : readFolderDialect(input.absolute);
      const result = scanSql({ ...input, ...(hint ? { dialectHint: hint } : {}) });
      return { findings: result.findings, created: result.created, added: result.added, parseErrors: result.rejected };
    }
    default:
      // Code files (Python, JavaScript, shell and the files that hold shell): their scanners and
      // tree-sitter load with the first such file.
      return (await import('./scan-code-file.js')).scanCodeFile(input);
  }
}
