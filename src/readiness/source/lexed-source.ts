import { lineNumberAt } from '../../guardrails/line-index.js';

// A source file seen as code: comments blanked out, string contents kept apart, so that rules
// match what the program does and not what a comment or a string says.

export interface StringToken {
  /** Offset of the opening quote (or prefix) in the text. */
  start: number;
  /** Offset just past the closing quote. */
  end: number;
  /** The contents between the quotes, escapes resolved for the common cases. */
  value: string;
  /** A template literal with `${…}` or a Python f-string: its value is not a constant. */
  interpolated: boolean;
}

export interface LexedSource {
  text: string;
  /**
   * Same length and line breaks as `text`; comments are spaces and string contents are spaces
   * between their quotes, so a regular expression over it only ever matches code.
   */
  code: string;
  /** Sorted by start. */
  strings: StringToken[];
  lineStarts: number[];
}

export function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

/** 1-based line of an offset. */
export function lineAt(source: Pick<LexedSource, 'lineStarts'>, offset: number): number {
  return lineNumberAt(source.lineStarts, offset);
}

/** The string literal that starts at `offset` (after optional blanks), if any. */
export function stringAt(source: LexedSource, offset: number): StringToken | undefined {
  let at = offset;
  while (at < source.code.length && /\s/.test(source.code[at] ?? '')) at++;
  const list = source.strings;
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const token = list[mid];
    if (!token) break;
    if (token.start === at) return token;
    if (token.start < at) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

/** Replaces every character but line breaks with a space (keeps offsets and line numbers). */
export function blank(text: string): string {
  return text.replace(/[^\n]/g, ' ');
}

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0' };

export function unescapeString(raw: string): string {
  return raw.replace(/\\(.)/gs, (_, c: string) => SIMPLE_ESCAPES[c] ?? c);
}

/**
 * The offset just past the bracket that closes the one at `open` (`(`, `[` or `{`), in code
 * where strings and comments are already blanked; the end of the code when it is not closed.
 */
export function findClosing(code: string, open: number): number {
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    const c = code[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return code.length;
}

export interface ArgumentSpan {
  start: number;
  end: number;
  /** The argument's code (strings blanked), trimmed. */
  code: string;
}

/** The top-level, comma-separated parts between the bracket at `open` and its closing one. */
export function splitArguments(code: string, open: number): ArgumentSpan[] {
  const close = findClosing(code, open) - 1;
  const parts: ArgumentSpan[] = [];
  let depth = 0;
  let start = open + 1;
  for (let i = open + 1; i < close; i++) {
    const c = code[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(span(code, start, i));
      start = i + 1;
    }
  }
  const last = span(code, start, close);
  if (last.code.length > 0 || parts.length > 0) parts.push(last);
  return parts.filter((p) => p.code.length > 0);
}

function span(code: string, start: number, end: number): ArgumentSpan {
  let s = start;
  let e = end;
  while (s < e && /\s/.test(code[s] ?? '')) s++;
  while (e > s && /\s/.test(code[e - 1] ?? '')) e--;
  return { start: s, end: e, code: code.slice(s, e) };
}
