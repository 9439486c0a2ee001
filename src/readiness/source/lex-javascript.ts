import { computeLineStarts, unescapeString, type LexedSource, type StringToken } from './lexed-source.js';

// Words after which a `/` starts a regular expression rather than a division.
const EXPRESSION_KEYWORDS = new Set([
  'return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await',
]);

interface OpenTemplate {
  /** Brace depth inside the `${`, so its `}` is told from an object's. */
  depth: number;
  token: StringToken;
  parts: string[];
}

/**
 * Lexes JavaScript or TypeScript just enough to tell code from comments, strings, template
 * literals (whose `${…}` stay code) and regular expressions.
 */
export function lexJavaScript(text: string): LexedSource {
  const blanks: Array<[number, number]> = [];
  const strings: StringToken[] = [];
  const templates: OpenTemplate[] = [];
  const n = text.length;
  let depth = 0;
  let regexAllowed = true;
  let i = 0;

  if (text.startsWith('#!')) {
    i = lineEnd(text, 0);
    blanks.push([0, i]);
  }

  // Scans a template's text from `from` to the closing backtick or the next `${`.
  const scanTemplate = (from: number, open: OpenTemplate): number => {
    let j = from;
    while (j < n) {
      const ch = text[j];
      if (ch === '\\') {
        j += 2;
        continue;
      }
      if (ch === '`') {
        blanks.push([from, j]);
        open.parts.push(text.slice(from, j));
        open.token.end = j + 1;
        open.token.value = unescapeString(open.parts.join(''));
        return j + 1;
      }
      if (ch === '$' && text[j + 1] === '{') {
        blanks.push([from, j]);
        open.parts.push(text.slice(from, j));
        open.token.interpolated = true;
        depth++;
        open.depth = depth;
        templates.push(open);
        return j + 2;
      }
      j++;
    }
    blanks.push([from, n]);
    open.token.end = n;
    return n;
  };

  while (i < n) {
    const c = text[i] as string;
    const next = text[i + 1];
    if (c === '/' && next === '/') {
      const end = lineEnd(text, i);
      blanks.push([i, end]);
      i = end;
      continue;
    }
    if (c === '/' && next === '*') {
      const close = text.indexOf('*/', i + 2);
      const end = close < 0 ? n : close + 2;
      blanks.push([i, end]);
      i = end;
      continue;
    }
    if (c === '"' || c === "'") {
      const end = scanQuoted(text, i, c);
      const closed = text[end - 1] === c && end - 1 > i;
      const inner = text.slice(i + 1, closed ? end - 1 : end);
      strings.push({ start: i, end, value: unescapeString(inner), interpolated: false });
      blanks.push([i + 1, closed ? end - 1 : end]);
      i = end;
      regexAllowed = false;
      continue;
    }
    if (c === '`') {
      const token: StringToken = { start: i, end: n, value: '', interpolated: false };
      strings.push(token);
      i = scanTemplate(i + 1, { depth: 0, token, parts: [] });
      regexAllowed = false;
      continue;
    }
    if (c === '/' && regexAllowed) {
      const end = scanRegex(text, i);
      if (end > 0) {
        blanks.push([i + 1, end]);
        i = end;
        regexAllowed = false;
        continue;
      }
    }
    if (c === '{') {
      depth++;
      regexAllowed = true;
      i++;
      continue;
    }
    if (c === '}') {
      const open = templates[templates.length - 1];
      if (open && open.depth === depth) {
        templates.pop();
        depth--;
        i = scanTemplate(i + 1, open);
        regexAllowed = false;
        continue;
      }
      depth--;
      regexAllowed = true;
      i++;
      continue;
    }
    if (isIdentifierStart(c)) {
      let j = i + 1;
      while (j < n && isIdentifierPart(text[j] as string)) j++;
      regexAllowed = EXPRESSION_KEYWORDS.has(text.slice(i, j));
      i = j;
      continue;
    }
    if (c >= '0' && c <= '9') {
      let j = i + 1;
      while (j < n && /[\w.]/.test(text[j] as string)) j++;
      regexAllowed = false;
      i = j;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    regexAllowed = c !== ')' && c !== ']';
    i++;
  }

  strings.sort((a, b) => a.start - b.start);
  return { text, code: applyBlanks(text, blanks), strings, lineStarts: computeLineStarts(text) };
}

/** Offset just past a quoted string starting at `start` (a string ends at a bare line break). */
function scanQuoted(text: string, start: number, quote: string): number {
  let j = start + 1;
  while (j < text.length) {
    const ch = text[j];
    if (ch === '\\') {
      j += 2;
      continue;
    }
    if (ch === quote) return j + 1;
    if (ch === '\n') return j;
    j++;
  }
  return text.length;
}

/** Offset past a regular expression literal at `start` (flags included), or -1 when it is none. */
function scanRegex(text: string, start: number): number {
  let j = start + 1;
  let inClass = false;
  while (j < text.length) {
    const ch = text[j];
    if (ch === '\\') {
      j += 2;
      continue;
    }
    if (ch === '\n') return -1;
    if (inClass) {
      if (ch === ']') inClass = false;
    } else if (ch === '[') {
      inClass = true;
    } else if (ch === '/') {
      j++;
      while (j < text.length && /[a-z]/.test(text[j] as string)) j++;
      return j;
    }
    j++;
  }
  return -1;
}

function lineEnd(text: string, from: number): number {
  const end = text.indexOf('\n', from);
  return end < 0 ? text.length : end;
}

function isIdentifierStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c === '$' || c > '\x7f';
}

function isIdentifierPart(c: string): boolean {
  return isIdentifierStart(c) || (c >= '0' && c <= '9');
}

/** The text with the given ranges blanked (line breaks kept). */
export function applyBlanks(text: string, ranges: Array<[number, number]>): string {
  if (ranges.length === 0) return text;
  ranges.sort((a, b) => a[0] - b[0]);
  const parts: string[] = [];
  let at = 0;
  for (const [start, end] of ranges) {
    if (end <= at) continue;
    const from = Math.max(start, at);
    parts.push(text.slice(at, from));
    parts.push(text.slice(from, end).replace(/[^\n]/g, ' '));
    at = end;
  }
  parts.push(text.slice(at));
  return parts.join('');
}
