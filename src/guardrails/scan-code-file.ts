import { analyzeAlembic, isAlembicRevision } from './migrations/analyze-alembic.js';
import { languageForPath, parseSource } from '../parsing/parse-source.js';
import { scanJavaScript } from './code/scan-javascript.js';
import { indexPythonFile, scanPythonCalls } from './code/scan-python.js';
import { readDockerfileShell, readGitlabShell, readMakefileShell, readWorkflowShell } from './code/embedded-shell.js';
import { scanShell, scanShellPieces } from './code/scan-shell.js';
import type { FileScanInput, FileScanResult } from './file-scan.js';

// The code side of scanFile: loaded with the first code file, so a folder of SQL migrations
// never loads the code scanners or tree-sitter.

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
    case 'sql':
      throw new Error('scanCodeFile was given a SQL file');
  }
}
