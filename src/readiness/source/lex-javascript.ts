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
    const code = text.charCodeAt(i);
    if (code === 32 || code === 10 || code === 9 || code === 13) {
      i++;
      continue;
    }
    if (isIdentifierStartCode(code)) {
      let j = i + 1;
      while (j < n && isIdentifierPartCode(text.charCodeAt(j))) j++;
      regexAllowed = j - i <= 10 && EXPRESSION_KEYWORDS.has(text.slice(i, j));
      i = j;
      continue;
    }
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
    if (c >= '0' && c <= '9') {
      let j = i + 1;
      while (j < n && /[\w.]/.test(text[j] as string)) j++;
      regexAllowed = false;
      i = j;
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

function isIdentifierStartCode(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36 || c > 127;
}

function isIdentifierPartCode(c: number): boolean {
  return isIdentifierStartCode(c) || (c >= 48 && c <= 57);
}

/** The text with the given ranges blanked (line breaks kept). */
export function applyBlanks(text: string, ranges: Array<[number, number]>): string {
  if (ranges.length === 0) return text;
  const units = Buffer.from(text, 'utf16le');
  for (const [start, end] of ranges) {
    for (let i = start; i < end; i++) {
      const at = i * 2;
      if (units[at] === 10 && units[at + 1] === 0) continue;
      units[at] = 32;
      units[at + 1] = 0;
    }
  }
  return units.toString('utf16le');
}
