import type { ShellPiece, ShellWord } from './scan-shell.js';

// Shell that lives inside other files: a Makefile's recipe lines, a Dockerfile's RUN instructions,
// a GitHub workflow's `run:` blocks, a GitLab CI file's scripts. Each is cut out as pieces that
// keep their place in the file, so findings point at the right line.

const CONTINUES = /\\\r?$/;

/**
 * Recipe lines (tab-indented, and their `\` continuations) with make's @, - and + prefixes dropped.
 * `$(VAR)` and `${VAR}` are make's own expansions, not command substitutions: each stays one word
 * of the same length (`$$` is the shell's `$`), and a whole word that names a variable assigned in
 * the file (`AWS := aws`, `FLAGS ?= --recursive`) is read as that variable's words.
 */
export function readMakefileShell(text: string): ShellPiece[] {
  const variables = readMakeVariables(text);
  const pieces = collectContinued(text, (line, at) => {
    if (!line.startsWith('\t')) return undefined;
    const prefix = /^\t*[@+\- \t]*/.exec(line)?.[0].length ?? 0;
    return { text: line.slice(prefix), base: at + prefix };
  });
  return pieces.map((p) => {
    const expansions = new Map<number, string[]>();
    const masked = p.text.replace(MAKE_REFERENCE, (m: string, name: string | undefined, offset: number) => {
      // `$$` is make's escaped `$`: the shell sees one (a space keeps the length and the word apart).
      if (name === undefined) return ' $';
      const value = variables.get(name) ?? AWS_CLI_NAMES.get(name.toLowerCase());
      if (value !== undefined) expansions.set(p.base + offset, value);
      return 'V'.repeat(m.length);
    });
    return { ...p, text: masked, ...(expansions.size > 0 ? { expansions } : {}) };
  });
}

const MAKE_REFERENCE = /\$\$|\$[({]([A-Za-z0-9_.-]+)[)}]/g;

/** Variables a Makefile uses for the AWS CLI without assigning them (set by the environment or an include). */
const AWS_CLI_NAMES = new Map([
  ['aws', ['aws']],
  ['awscli', ['aws']],
  ['aws_cli', ['aws']],
  ['aws_cmd', ['aws']],
  ['awslocal', ['awslocal']],
]);

/**
 * Simple variable assignments outside recipes (last one wins, `?=` only when unset, `+=` appends);
 * a reference to a variable assigned before is read as its words, any other stays one word.
 */
function readMakeVariables(text: string): Map<string, string[]> {
  const variables = new Map<string, string[]>();
  forEachLine(text, (line) => {
    const m = /^(?:export\s+|override\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*(::?=|:::=|\?=|\+=|=)\s*(.*?)\s*(?:#.*)?$/.exec(line);
    if (!m || line.startsWith('\t')) return;
    const [, name, op, value] = m;
    if (!name || value === undefined) return;
    if (op === '?=' && variables.has(name)) return;
    const words = value.split(/\s+/).filter(Boolean).flatMap((w) => {
      const whole = /^\$[({]([A-Za-z0-9_.-]+)[)}]$/.exec(w);
      return (whole?.[1] !== undefined ? variables.get(whole[1]) : undefined) ?? [w];
    });
    variables.set(name, op === '+=' ? [...(variables.get(name) ?? []), ...words] : words);
  });
  return variables;
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
  return readCiShell(text, /^(\s*)(?:-\s+)?run:\s*(.*)$/, false);
}

/**
 * The `script:`, `before_script:` and `after_script:` of a GitLab CI file: a string, a block scalar,
 * or a list of them (each item its own command, `- |` items as blocks).
 */
export function readGitlabShell(text: string): ShellPiece[] {
  return readCiShell(text, /^(\s*)(?:-\s+)?(?:before_|after_)?script:\s*(.*)$/, true);
}

/** Shell held by a CI file's `key:` values, found by `keyLine` (groups: the indent, the value). */
function readCiShell(text: string, keyLine: RegExp, lists: boolean): ShellPiece[] {
  const pieces: ShellPiece[] = [];
  let block: { indent: number } | undefined;
  let list: { indent: number } | undefined;
  // A value: inline, quoted, or the start of a block scalar whose lines are indented past `indent`.
  const takeValue = (value: string, valueAt: number, indent: number): void => {
    if (/^[|>][-+0-9]*\s*(#.*)?$/.test(value)) {
      block = { indent };
      return;
    }
    if (value === '' || value.startsWith('#')) return;
    const quoted = /^(['"])(.*?)\1\s*(#.*)?$/.exec(value);
    pieces.push(quoted ? { text: quoted[2] ?? '', base: valueAt + 1 } : { text: value, base: valueAt });
  };
  forEachLine(text, (line, at) => {
    const indent = /^ */.exec(line)?.[0].length ?? 0;
    if (block) {
      if (line.trim() === '' || indent > block.indent) {
        pieces.push({ text: line, base: at });
        return;
      }
      block = undefined;
    }
    if (list) {
      const item = /^(\s*)-\s+(.*)$/.exec(line);
      if (line.trim() === '' || line.trim().startsWith('#')) return;
      if (item && (item[1] ?? '').length >= list.indent) {
        const value = item[2] ?? '';
        takeValue(value, at + line.length - value.length, (item[1] ?? '').length);
        return;
      }
      list = undefined;
    }
    const m = keyLine.exec(line);
    if (!m) return;
    const keyIndent = (m[1] ?? '').length + (line.slice((m[1] ?? '').length).startsWith('-') ? 2 : 0);
    const value = m[2] ?? '';
    if (lists && (value === '' || value.startsWith('#'))) {
      list = { indent: keyIndent };
      return;
    }
    takeValue(value, at + line.length - value.length, keyIndent);
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
