import type { Finding } from '../finding.js';
import { LineIndex } from '../line-index.js';
import { type MarkerLine, SAFETY_MARKER, isAloneOnLine } from '../safety-marker.js';
import { type CodeScanInput, makeCallFindings, buildCodeMatchers } from './code-matchers.js';

// JavaScript/TypeScript read as code: comments, string and template literals (but not the code in
// `${...}`) and regular expression literals are skipped, so only real identifiers are matched.

interface JsToken {
  kind: 'ident' | 'punct' | 'literal';
  value: string;
  start: number;
  end: number;
}

const KEYWORDS_BEFORE_EXPRESSION = new Set(['return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await']);

/** SDK v3 commands (`new DeleteBucketCommand(`) and client methods (`s3.deleteBucket(`). */
export function scanJavaScript(input: CodeScanInput): Finding[] {
  const matchers = buildCodeMatchers(input.rules);
  if (matchers.jsConstructors.size === 0 && matchers.jsMethods.size === 0) return [];
  const { tokens, markers } = lexJavaScript(input.text);
  const lines = new LineIndex(input.text);
  const markerLines: MarkerLine[] = markers.map((m) => ({ line: lines.lineOf(m.offset), commentOnly: m.commentOnly }));
  const findings: Finding[] = [];
  tokens.forEach((t, i) => {
    if (t.kind !== 'ident') return;
    const prev = tokens[i - 1];
    const next = tokens[i + 1];
    let rules;
    let from = t.start;
    const newAt = constructorCallAt(tokens, i);
    if (newAt !== undefined) {
      rules = matchers.jsConstructors.get(t.value);
      from = tokens[newAt]?.start ?? from;
    } else if (prev?.kind === 'punct' && (prev.value === '.' || prev.value === '?.') && next?.value === '(') {
      rules = matchers.jsMethods.get(t.value);
    }
    if (!rules) return;
    const end = next?.value === '(' ? closingParen(tokens, i + 1) : t.end;
    const line = lines.lineOf(from);
    const code = input.text.slice(from, Math.min(end, from + 400));
    findings.push(...makeCallFindings(input, rules, { line, lastLine: lines.lineOf(end), code }, markerLines));
  });
  return findings;
}

/** Where `new` stands when tokens[i] is the class of `new X(` or `new ns.sub.X(`. */
function constructorCallAt(tokens: JsToken[], i: number): number | undefined {
  let j = i;
  while (tokens[j - 1]?.value === '.' && tokens[j - 2]?.kind === 'ident') j -= 2;
  const before = tokens[j - 1];
  return before?.kind === 'ident' && before.value === 'new' ? j - 1 : undefined;
}

function closingParen(tokens: JsToken[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    const t = tokens[i];
    if (!t || t.kind !== 'punct') continue;
    if (t.value === '(') depth++;
    else if (t.value === ')' && --depth === 0) return t.end;
  }
  return tokens[tokens.length - 1]?.end ?? 0;
}

export function lexJavaScript(text: string): { tokens: JsToken[]; markers: { offset: number; commentOnly: boolean }[] } {
  const tokens: JsToken[] = [];
  const markers: { offset: number; commentOnly: boolean }[] = [];
  const braces: ('code' | 'template')[] = [];
  const n = text.length;
  let i = 0;
  const comment = (start: number, end: number): void => {
    const body = text.slice(start, end);
    const m = SAFETY_MARKER.exec(body);
    if (m) markers.push({ offset: start + m.index, commentOnly: isAloneOnLine(text, start, end) });
  };
  const template = (from: number): number => {
    // from is just after ` or }; returns the index after the closing ` or after `${`
    let j = from;
    while (j < n) {
      const c = text[j];
      if (c === '\\') j += 2;
      else if (c === '`') return j + 1;
      else if (c === '$' && text[j + 1] === '{') {
        braces.push('template');
        return j + 2;
      } else j++;
    }
    return n;
  };
  while (i < n) {
    const c = text[i] ?? '';
    if (c === ' ' || c === '\n' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      const e = text.indexOf('\n', i);
      comment(i, e < 0 ? n : e);
      i = e < 0 ? n : e;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const e = text.indexOf('*/', i + 2);
      comment(i, e < 0 ? n : e + 2);
      i = e < 0 ? n : e + 2;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < n && text[j] !== c && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
      tokens.push({ kind: 'literal', value: '', start: i, end: j + 1 });
      i = j + 1;
      continue;
    }
    if (c === '`') {
      const e = template(i + 1);
      tokens.push({ kind: 'literal', value: '', start: i, end: e });
      i = e;
      continue;
    }
    if (isIdentifierStart(text.charCodeAt(i))) {
      let j = i + 1;
      while (j < n && isIdentifierPart(text.charCodeAt(j))) j++;
      tokens.push({ kind: 'ident', value: text.slice(i, j), start: i, end: j });
      i = j;
      continue;
    }
    if (c >= '0' && c <= '9') {
      let j = i + 1;
      while (j < n && (isIdentifierPart(text.charCodeAt(j)) || text[j] === '.')) j++;
      tokens.push({ kind: 'literal', value: '', start: i, end: j });
      i = j;
      continue;
    }
    if (c === '/' && regexAllowed(tokens[tokens.length - 1])) {
      const e = skipRegex(text, i);
      tokens.push({ kind: 'literal', value: '', start: i, end: e });
      i = e;
      continue;
    }
    if (c === '{') braces.push('code');
    if (c === '}') {
      if (braces.pop() === 'template') {
        const e = template(i + 1);
        tokens.push({ kind: 'literal', value: '', start: i, end: e });
        i = e;
        continue;
      }
    }
    const two = text.slice(i, i + 2);
    const value = two === '?.' ? two : c;
    tokens.push({ kind: 'punct', value, start: i, end: i + value.length });
    i += value.length;
  }
  return { tokens, markers };
}

/** A `/` starts a regular expression where an expression may start, not after a value. */
function regexAllowed(prev: JsToken | undefined): boolean {
  if (!prev) return true;
  if (prev.kind === 'literal') return false;
  if (prev.kind === 'ident') return KEYWORDS_BEFORE_EXPRESSION.has(prev.value);
  return prev.value !== ')' && prev.value !== ']' && prev.value !== '}';
}

function skipRegex(text: string, i: number): number {
  let j = i + 1;
  let inClass = false;
  while (j < text.length) {
    const c = text[j];
    if (c === '\\') j += 2;
    else if (c === '\n') return j;
    else {
      if (c === '[') inClass = true;
      else if (c === ']') inClass = false;
      else if (c === '/' && !inClass) {
        j++;
        while (j < text.length && /[a-z]/i.test(text[j] ?? '')) j++;
        return j;
      }
      j++;
    }
  }
  return j;
}

function isIdentifierStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36 || c >= 128;
}

function isIdentifierPart(c: number): boolean {
  return isIdentifierStart(c) || (c >= 48 && c <= 57);
}
