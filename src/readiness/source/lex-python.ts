import { applyBlanks } from './lex-javascript.js';
import { computeLineStarts, unescapeString, type LexedSource, type StringToken } from './lexed-source.js';

/** Lexes Python just enough to tell code from comments and strings (prefixed, triple-quoted). */
export function lexPython(text: string): LexedSource {
  const blanks: Array<[number, number]> = [];
  const strings: StringToken[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const code = text.charCodeAt(i);
    if (code === 32 || code === 10 || code === 9 || code === 13 || code === 40 || code === 41 || code === 44 || code === 46 || code === 58 || code === 61) {
      i++;
      continue;
    }
    const c = text[i] as string;
    if (c === '#') {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? n : end;
      blanks.push([i, stop]);
      i = stop;
      continue;
    }
    if (isIdentifierChar(c)) {
      const prefix = stringPrefix(text, i);
      if (prefix === undefined) {
        let j = i + 1;
        while (j < n && isIdentifierCode(text.charCodeAt(j))) j++;
        i = j;
        continue;
      }
      i = scanString(text, i, i + prefix.length, prefix, strings, blanks);
      continue;
    }
    if (c === '"' || c === "'") {
      i = scanString(text, i, i, '', strings, blanks);
      continue;
    }
    i++;
  }
  return { text, code: applyBlanks(text, blanks), strings, lineStarts: computeLineStarts(text) };
}

/** `r`, `b`, `f`, `rb`, … when a string starts at `at`; undefined when `at` starts a name. */
function stringPrefix(text: string, at: number): string | undefined {
  for (const length of [1, 2]) {
    const candidate = text.slice(at, at + length);
    const after = text[at + length];
    if ((after === '"' || after === "'") && /^(?:[rRbBuUfF]|[rR][bBfF]|[bBfF][rR])$/.test(candidate)) return candidate;
  }
  return undefined;
}

function scanString(
  text: string,
  start: number,
  quoteAt: number,
  prefix: string,
  strings: StringToken[],
  blanks: Array<[number, number]>,
): number {
  const q = text[quoteAt] as string;
  const triple = text.startsWith(q.repeat(3), quoteAt);
  const delimiter = triple ? q.repeat(3) : q;
  const contentStart = quoteAt + delimiter.length;
  let j = contentStart;
  let contentEnd = text.length;
  let end = text.length;
  while (j < text.length) {
    const ch = text[j];
    if (ch === '\\') {
      j += 2;
      continue;
    }
    if (!triple && ch === '\n') {
      contentEnd = j;
      end = j;
      break;
    }
    if (text.startsWith(delimiter, j)) {
      contentEnd = j;
      end = j + delimiter.length;
      break;
    }
    j++;
  }
  const raw = text.slice(contentStart, contentEnd);
  const isRaw = /[rR]/.test(prefix);
  strings.push({
    start,
    end,
    value: isRaw ? raw : unescapeString(raw),
    interpolated: /[fF]/.test(prefix) && /\{[^{]/.test(raw),
  });
  blanks.push([contentStart, contentEnd]);
  return end;
}

function isIdentifierCode(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c > 127;
}

function isIdentifierChar(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c === '_' || c > '\x7f';
}
