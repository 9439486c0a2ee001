import type { ShellPiece, ShellWord } from './scan-shell.js';

// Shell that lives inside other files: a Makefile's recipe lines, a Dockerfile's RUN instructions,
// a GitHub workflow's `run:` blocks. Each is cut out as pieces that keep their place in the file,
// so findings point at the right line.

const CONTINUES = /\\\r?$/;

/** Recipe lines (tab-indented, and their `\` continuations) with make's @, - and + prefixes dropped. */
export function readMakefileShell(text: string): ShellPiece[] {
  const pieces = collectContinued(text, (line, at) => {
    if (!line.startsWith('\t')) return undefined;
    const prefix = /^\t*[@+\- \t]*/.exec(line)?.[0].length ?? 0;
    return { text: line.slice(prefix), base: at + prefix };
  });
  // $(VAR) and ${VAR} are make's own expansions, not command substitutions: same length, one word.
  return pieces.map((p) => ({ ...p, text: p.text.replace(/\$[({][A-Za-z0-9_.-]+[)}]/g, (m) => 'V'.repeat(m.length)) }));
}

/** RUN instructions (shell form with continuations; exec form as words) of a Dockerfile. */
export function readDockerfileShell(text: string): { pieces: ShellPiece[]; commands: ShellWord[][] } {
  const commands: ShellWord[][] = [];
  const pieces = collectContinued(text, (line, at) => {
    const m = /^\s*RUN\s+((?:--[a-z-]+=\S+\s+)*)/i.exec(line);
    if (!m) return undefined;
    const start = m[0].length;
    const rest = line.slice(start);
    if (rest.trimStart().startsWith('[')) {
      const words = readExecForm(rest, at + start);
      if (words) commands.push(words);
      return undefined;
    }
    return { text: rest, base: at + start };
  });
  return { pieces, commands };
}

/** Pieces that `open` starts on a line, each grown over the lines its trailing `\` continues it to. */
function collectContinued(text: string, open: (line: string, at: number) => ShellPiece | undefined): ShellPiece[] {
  const pieces: ShellPiece[] = [];
  let continued = false;
  forEachLine(text, (line, at) => {
    const last = pieces[pieces.length - 1];
    if (continued && last) {
      last.text = text.slice(last.base, at + line.length);
      continued = CONTINUES.test(line);
      return;
    }
    const piece = open(line, at);
    continued = piece !== undefined && CONTINUES.test(line);
    if (piece) pieces.push(piece);
  });
  return pieces;
}

/** The `run:` blocks of a GitHub Actions workflow (inline, quoted, or `|` / `>` block scalars). */
export function readWorkflowShell(text: string): ShellPiece[] {
  const pieces: ShellPiece[] = [];
  let block: { indent: number } | undefined;
  forEachLine(text, (line, at) => {
    if (block) {
      const indent = /^ */.exec(line)?.[0].length ?? 0;
      if (line.trim() === '' || indent > block.indent) {
        pieces.push({ text: line, base: at });
        return;
      }
      block = undefined;
    }
    const m = /^(\s*)(?:-\s+)?run:\s*(.*)$/.exec(line);
    if (!m) return;
    const keyIndent = (m[1] ?? '').length + (line.slice((m[1] ?? '').length).startsWith('-') ? 2 : 0);
    const value = m[2] ?? '';
    const valueAt = at + line.length - value.length;
    if (/^[|>][-+0-9]*\s*(#.*)?$/.test(value)) {
      block = { indent: keyIndent };
      return;
    }
    const quoted = /^(['"])(.*?)\1\s*(#.*)?$/.exec(value);
    pieces.push(quoted ? { text: quoted[2] ?? '', base: valueAt + 1 } : { text: value, base: valueAt });
  });
  return pieces;
}

/** `["aws", "s3", "rb", "s3://b"]` as words placed at the array. */
function readExecForm(text: string, base: number): ShellWord[] | undefined {
  try {
    const parsed: unknown = JSON.parse(text.trim());
    if (!Array.isArray(parsed) || !parsed.every((w) => typeof w === 'string')) return undefined;
    return parsed.map((w: string) => ({ text: w, start: base, end: base + text.trimEnd().length }));
  } catch {
    return undefined;
  }
}

function forEachLine(text: string, visit: (line: string, at: number) => void): void {
  let at = 0;
  while (at <= text.length) {
    const nl = text.indexOf('\n', at);
    const end = nl < 0 ? text.length : nl;
    visit(text.slice(at, end), at);
    if (nl < 0) break;
    at = nl + 1;
  }
}
