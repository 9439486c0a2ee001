import type { Finding } from '../finding.js';
import { LineIndex } from '../line-index.js';
import { type MarkerLine, SAFETY_MARKER, isAloneOnLine, readMarkerNote } from '../safety-marker.js';
import { type CodeScanInput, makeCallFindings, buildCodeMatchers } from './code-matchers.js';

// Shell read the way the shell reads it: words after quote removal, commands split at ; & | ( )
// and newlines, comments only at the start of a word, here-document bodies skipped, command
// substitutions read as commands. `echo "aws s3 rb ..."` is echo with one argument.

export interface ShellWord {
  text: string;
  start: number;
  end: number;
}

const WRAPPERS = new Set(['sudo', 'env', 'exec', 'time', 'nohup', 'command', 'builtin', 'then', 'do', 'else', 'elif', 'if', 'while', 'until', '!', '{', '}']);
/** aws global options that take no value. */
const BOOLEAN_OPTIONS = new Set(['--debug', '--no-verify-ssl', '--no-paginate', '--no-sign-request', '--no-cli-pager', '--cli-auto-prompt', '--no-cli-auto-prompt']);

export function scanShell(input: CodeScanInput): Finding[] {
  return scanShellPieces(input, [{ text: input.text, base: 0 }]);
}

/** A piece of shell inside another file: its text, and where that text starts in the file. */
export interface ShellPiece {
  text: string;
  base: number;
  /** Words to read in place of the whole word that starts at this file offset (a Makefile's `$(AWS)`). */
  expansions?: ReadonlyMap<number, string[]>;
}

/**
 * The CLI rules over shell found inside a file (a Makefile's recipes, a Dockerfile's RUN, a
 * workflow's run: blocks, a string passed to subprocess or execSync), and over commands already
 * split into words (`["aws", "s3", "rb", ...]`).
 */
export function scanShellPieces(input: CodeScanInput, pieces: ShellPiece[], split: ShellWord[][] = [], hostMarkers: MarkerLine[] = []): Finding[] {
  const matchers = buildCodeMatchers(input.rules);
  if (matchers.cli.length === 0) return [];
  const commands: ShellWord[][] = [...split];
  const markers: { offset: number; commentOnly: boolean; note: string }[] = [];
  for (const piece of pieces) {
    const lexed = lexShell(piece.text, piece.base);
    const expansions = piece.expansions;
    commands.push(...(expansions ? lexed.commands.map((words) => words.flatMap((w) => expandWord(w, expansions))) : lexed.commands));
    markers.push(...lexed.markers);
  }
  const lines = new LineIndex(input.text);
  const markerLines: MarkerLine[] = [...hostMarkers, ...markers.map((m) => ({ line: lines.lineOf(m.offset), commentOnly: m.commentOnly, note: m.note }))];
  const findings: Finding[] = [];
  for (const words of commands) {
    let k = 0;
    while (k < words.length) {
      const w = words[k]?.text ?? '';
      if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(w) || WRAPPERS.has(w) || (k > 0 && WRAPPERS.has(words[k - 1]?.text ?? '') && w.startsWith('-'))) k++;
      else break;
    }
    const program = (words[k]?.text ?? '').split('/').pop() ?? '';
    if (!matchers.cliPrograms.has(program)) continue;
    const args = words.slice(k + 1).map((w) => w.text);
    let j = 0;
    while (j < args.length && (args[j] ?? '').startsWith('-')) j += (args[j] ?? '').includes('=') || BOOLEAN_OPTIONS.has(args[j] ?? '') ? 1 : 2;
    const rest = args.slice(j);
    const rules = matchers.cli
      .filter(({ rule, pattern }) =>
        rule.match.cliPrograms.includes(program) &&
        pattern.subcommands.every((s, idx) => rest[idx] === s) &&
        pattern.flags.every((f) => rest.some((a) => a === f || a.startsWith(`${f}=`))),
      )
      .map(({ rule }) => rule);
    if (rules.length === 0) continue;
    const first = words[0];
    const last = words[words.length - 1];
    if (!first || !last) continue;
    const at = { line: lines.lineOf(first.start), lastLine: lines.lineOf(last.end), code: input.text.slice(first.start, last.end) };
    findings.push(...makeCallFindings(input, [...new Set(rules)], at, markerLines));
  }
  return findings;
}

/** The word, or the words of the variable it names (each placed where the reference is). */
function expandWord(word: ShellWord, expansions: ReadonlyMap<number, string[]>): ShellWord[] {
  const value = expansions.get(word.start);
  if (!value || !/^V+$/.test(word.text)) return [word];
  return value.map((text) => ({ text, start: word.start, end: word.end }));
}

export function lexShell(text: string, base = 0): { commands: ShellWord[][]; markers: { offset: number; commentOnly: boolean; note: string }[] } {
  const commands: ShellWord[][] = [];
  const markers: { offset: number; commentOnly: boolean; note: string }[] = [];
  const heredocs: { delimiter: string; stripTabs: boolean }[] = [];
  let words: ShellWord[] = [];
  let word = '';
  let wordStart = -1;
  let i = 0;
  const n = text.length;
  const endWord = (): void => {
    if (wordStart >= 0) words.push({ text: word, start: base + wordStart, end: base + i });
    word = '';
    wordStart = -1;
  };
  const endCommand = (): void => {
    endWord();
    if (words.length > 0) commands.push(words);
    words = [];
  };
  const begin = (): void => {
    if (wordStart < 0) wordStart = i;
  };
  while (i < n) {
    const c = text[i] ?? '';
    if (c === '\\' && text[i + 1] === '\n') {
      i += 2;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      endWord();
      i++;
      continue;
    }
    if (c === '\n') {
      endCommand();
      i++;
      i = skipHeredocs(text, i, heredocs);
      continue;
    }
    if (c === '#' && wordStart < 0) {
      const e = text.indexOf('\n', i);
      const end = e < 0 ? n : e;
      const m = SAFETY_MARKER.exec(text.slice(i, end));
      if (m) markers.push({ offset: base + i + m.index, commentOnly: isAloneOnLine(text, i, end), note: readMarkerNote(text.slice(i, end)) });
      i = end;
      continue;
    }
    if (c === '<' && text[i + 1] === '<' && text[i + 2] !== '<') {
      endWord();
      const h = readHeredocStart(text, i + 2);
      if (h) {
        heredocs.push({ delimiter: h.delimiter, stripTabs: h.stripTabs });
        i = h.end;
        continue;
      }
    }
    if (c === ';' || c === '&' || c === '|' || c === '(' || c === ')' || c === '`') {
      endCommand();
      i++;
      continue;
    }
    if (c === '$' && text[i + 1] === '(') {
      // A command substitution is a command of its own, and a piece of the word it sits in
      // (`aws s3 rm s3://$(terraform output -raw bucket)/ --recursive` keeps its --recursive).
      begin();
      const close = matchingParen(text, i + 1);
      const inner = lexShell(text.slice(i + 2, close), base + i + 2);
      commands.push(...inner.commands);
      markers.push(...inner.markers);
      word += '$()';
      i = close + 1;
      continue;
    }
    if (c === '\\') {
      begin();
      word += text[i + 1] ?? '';
      i += 2;
      continue;
    }
    if (c === "'" || (c === '$' && text[i + 1] === "'")) {
      begin();
      const ansi = c === '$';
      let j = i + (ansi ? 2 : 1);
      while (j < n && text[j] !== "'") j += ansi && text[j] === '\\' ? 2 : 1;
      word += text.slice(i + (ansi ? 2 : 1), j);
      i = j + 1;
      continue;
    }
    if (c === '"') {
      begin();
      let j = i + 1;
      while (j < n && text[j] !== '"') {
        if (text[j] === '\\') {
          word += text[j + 1] ?? '';
          j += 2;
        } else if (text[j] === '$' && text[j + 1] === '(') {
          const close = matchingParen(text, j + 1);
          const inner = lexShell(text.slice(j + 2, close), base + j + 2);
          commands.push(...inner.commands);
          markers.push(...inner.markers);
          j = close + 1;
        } else {
          word += text[j];
          j++;
        }
      }
      i = j + 1;
      continue;
    }
    begin();
    word += c;
    i++;
  }
  endCommand();
  return { commands, markers };
}

function readHeredocStart(text: string, i: number): { delimiter: string; stripTabs: boolean; end: number } | undefined {
  let j = i;
  const stripTabs = text[j] === '-';
  if (stripTabs) j++;
  while (text[j] === ' ' || text[j] === '\t') j++;
  const m = /^(?:'([^'\n]*)'|"([^"\n]*)"|\\?([A-Za-z0-9_.-]+))/.exec(text.slice(j, j + 200));
  if (!m) return undefined;
  return { delimiter: m[1] ?? m[2] ?? m[3] ?? '', stripTabs, end: j + m[0].length };
}

/** Skips the bodies of pending here-documents that start at line `i`. */
function skipHeredocs(text: string, i: number, heredocs: { delimiter: string; stripTabs: boolean }[]): number {
  let at = i;
  while (heredocs.length > 0) {
    const h = heredocs.shift();
    if (!h) break;
    for (;;) {
      if (at >= text.length) return text.length;
      const e = text.indexOf('\n', at);
      const end = e < 0 ? text.length : e;
      const line = text.slice(at, end).replace(/\r$/, '');
      at = end + 1;
      if ((h.stripTabs ? line.replace(/^\t+/, '') : line) === h.delimiter) break;
    }
  }
  return Math.min(at, text.length);
}

function matchingParen(text: string, open: number): number {
  let depth = 0;
  let quote = '';
  for (let j = open; j < text.length; j++) {
    const c = text[j];
    if (quote) {
      if (c === '\\' && quote === '"') j++;
      else if (c === quote) quote = '';
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return j;
  }
  return text.length;
}
