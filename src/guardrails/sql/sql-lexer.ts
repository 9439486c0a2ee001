// A SQL lexer that reads text the way the server does: comments (nested /* */ in Postgres),
// string literals ('' doubling, E'' and MySQL backslash escapes), quoted identifiers, dollar-quoted
// bodies ($tag$ ... $tag$), template tags ({{ }}, {% %}, {# #}). It allocates nothing per token:
// `next()` moves to the next token and leaves its kind and range in `kind`, `start`, `end`.

export type Dialect = 'postgres' | 'mysql';

export const Tok = {
  End: 0,
  Word: 1,
  QuotedIdent: 2,
  String: 3,
  Number: 4,
  Param: 5,
  Punct: 6,
  Op: 7,
  Template: 8,
  Comment: 9,
  Delimiter: 10,
} as const;
export type Tok = (typeof Tok)[keyof typeof Tok];

const isWordStart = (c: number): boolean =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c >= 128;
const isWordPart = (c: number): boolean => isWordStart(c) || (c >= 48 && c <= 57) || c === 36;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;

export class SqlLexer {
  kind: Tok = Tok.End;
  start = 0;
  end = 0;
  /** For Tok.String: where the literal's content starts and ends (dollar bodies: between the tags). */
  contentStart = 0;
  contentEnd = 0;
  /** A custom statement delimiter (MySQL `DELIMITER $$`); ';' is the default. */
  delimiter = ';';
  /** After nextBoundary(): where the last token it moved over ends, or -1. */
  skippedEnd = -1;
  /** Parenthesis depth nextBoundary() keeps (the caller sets it before and reads it after). */
  depth = 0;
  /** Where a literal, quoted name or comment that never closes starts (it runs to the end), or -1. */
  unterminatedAt = -1;
  /** Where nextBoundary() first passed a `;` inside parentheses, or -1 (the caller resets it). */
  innerSemicolon = -1;
  private pos: number;

  constructor(
    readonly text: string,
    readonly dialect: Dialect,
    from = 0,
    readonly limit = text.length,
  ) {
    this.pos = from;
  }

  get position(): number {
    return this.pos;
  }

  set position(p: number) {
    this.pos = p;
  }

  next(): Tok {
    const t = this.text;
    const n = this.limit;
    let i = this.pos;
    let c = 0;
    while (i < n) {
      c = t.charCodeAt(i);
      if (c === 32 || c === 10 || c === 9 || c === 13 || c === 12 || c === 11 || c === 0xfeff) i++;
      else break;
    }
    this.start = i;
    if (i >= n) {
      this.pos = n;
      this.end = n;
      return (this.kind = Tok.End);
    }
    if (this.delimiter !== ';' && t.startsWith(this.delimiter, i)) {
      return this.finish(i + this.delimiter.length, Tok.Delimiter);
    }
    if (isWordStart(c)) {
      let j = i + 1;
      while (j < n && isWordPart(t.charCodeAt(j))) j++;
      j = this.cutAtDelimiter(i, j);
      if (j === i + 1 && j < n && t.charCodeAt(j) === 39) {
        // E'..', B'..', X'..', N'..' are literals; E'' is the one with backslash escapes.
        const p = c | 32;
        if (p === 101 || p === 98 || p === 120 || p === 110) {
          return this.finishString(j, this.skipQuoted(j, 39, p === 101 || this.dialect === 'mysql'));
        }
      }
      if (c === 85 || c === 117) {
        // U&'...' and U&"..."
        if (j === i + 1 && t.charCodeAt(j) === 38 && j + 1 < n) {
          const q = t.charCodeAt(j + 1);
          if (q === 39) return this.finishString(j + 1, this.skipQuoted(j + 1, 39, false));
          if (q === 34) return this.finish(this.skipQuoted(j + 1, 34, false), Tok.QuotedIdent);
        }
      }
      return this.finish(j, Tok.Word);
    }
    switch (c) {
      case 39: // '
        return this.finishString(i, this.skipQuoted(i, 39, this.dialect === 'mysql'));
      case 34: // "
        if (this.dialect === 'mysql') return this.finishString(i, this.skipQuoted(i, 34, true));
        return this.finish(this.skipQuoted(i, 34, false), Tok.QuotedIdent);
      case 96: // `
        return this.finish(this.skipQuoted(i, 96, false), Tok.QuotedIdent);
      case 45: // -
        if (t.charCodeAt(i + 1) === 45) return this.finish(this.lineEnd(i), Tok.Comment);
        return this.finish(i + 1, Tok.Op);
      case 35: // #
        if (this.dialect === 'mysql') return this.finish(this.lineEnd(i), Tok.Comment);
        return this.finish(i + 1, Tok.Op);
      case 47: // /
        if (t.charCodeAt(i + 1) === 42) return this.finish(this.skipBlockComment(i), Tok.Comment);
        return this.finish(i + 1, Tok.Op);
      case 36: // $
        return this.lexDollar(i);
      case 123: // {
        return this.lexBrace(i);
      case 59: // ;
      case 40:
      case 41:
      case 44:
      case 46:
      case 91:
      case 93:
        if (c === 46 && isDigit(t.charCodeAt(i + 1))) return this.finish(this.skipNumber(i), Tok.Number);
        return this.finish(i + 1, Tok.Punct);
      case 58: // :
        if (t.charCodeAt(i + 1) === 58) return this.finish(i + 2, Tok.Op);
        if (isWordStart(t.charCodeAt(i + 1))) {
          let j = i + 2;
          while (j < n && isWordPart(t.charCodeAt(j))) j++;
          return this.finish(this.cutAtDelimiter(i, j), Tok.Param);
        }
        return this.finish(i + 1, Tok.Punct);
      case 63: // ?
        return this.finish(i + 1, Tok.Param);
      default:
        if (isDigit(c)) return this.finish(this.skipNumber(i), Tok.Number);
        return this.finish(i + 1, Tok.Op);
    }
  }

  /**
   * Like next(), but moves in one tight loop over everything that cannot end a statement (words,
   * numbers, literals, operators, templates, and parentheses, whose depth it keeps in `depth`); it
   * stops at a top-level `;`, the delimiter, a comment, a backtick identifier or the end.
   * `skippedEnd` is where the last token it moved over ends (-1 when none). It reads literals with
   * the same helpers as next(), and hands anything rarer (dollar quotes, templates) to next().
   */
  nextBoundary(): Tok {
    const t = this.text;
    const n = this.limit;
    const mysql = this.dialect === 'mysql';
    const custom = this.delimiter !== ';' ? this.delimiter : '';
    const customFirst = custom ? custom.charCodeAt(0) : -1;
    this.skippedEnd = -1;
    for (;;) {
      let i = this.pos;
      scan: while (i < n) {
        const c = t.charCodeAt(i);
        if (c <= 32) {
          i++;
          continue;
        }
        if (c === customFirst && t.startsWith(custom, i)) break;
        if (isWordStart(c)) {
          let j = i + 1;
          while (j < n && isWordPart(t.charCodeAt(j))) j++;
          if (j === i + 1 && t.charCodeAt(j) === 39) {
            const p = c | 32;
            if (p === 101 || p === 98 || p === 120 || p === 110) {
              i = this.skipQuoted(j, 39, p === 101 || mysql);
              this.skippedEnd = i;
              continue;
            }
          }
          if (j === i + 1 && t.charCodeAt(j) === 38) break;
          i = this.cutAtDelimiter(i, j);
          this.skippedEnd = i;
          continue;
        }
        if (isDigit(c)) {
          i = this.skipNumber(i);
          this.skippedEnd = i;
          continue;
        }
        switch (c) {
          case 39:
          case 34:
            i = this.skipQuoted(i, c, mysql);
            this.skippedEnd = i;
            continue;
          case 40:
            this.depth++;
            break;
          case 41:
            if (this.depth > 0) this.depth--;
            break;
          case 59:
            if (this.depth === 0 && !custom) break scan;
            if (this.innerSemicolon < 0 && !custom) this.innerSemicolon = i;
            break;
          case 36:
          case 96:
          case 123:
            break scan;
          case 45:
          case 47:
            if (t.charCodeAt(i + 1) === (c === 45 ? 45 : 42)) break scan;
            break;
          case 35:
            if (mysql) break scan;
            break;
        }
        i++;
        this.skippedEnd = i;
      }
      this.pos = i;
      const kind = this.next();
      if (kind === Tok.Comment || kind === Tok.End || kind === Tok.Delimiter) return kind;
      if (kind === Tok.QuotedIdent && t.charCodeAt(this.start) === 96) return kind;
      if (kind === Tok.Punct && t.charCodeAt(this.start) === 59 && this.depth === 0) return kind;
      if (kind === Tok.Punct && t.charCodeAt(this.start) === 40) this.depth++;
      if (kind === Tok.Punct && t.charCodeAt(this.start) === 41 && this.depth > 0) this.depth--;
      this.skippedEnd = this.end;
    }
  }

  /** Whether the current token is the word `upper` (given in upper case), in any case; allocates nothing. */
  isWord(upper: string): boolean {
    if (this.kind !== Tok.Word || this.end - this.start !== upper.length) return false;
    for (let k = 0; k < upper.length; k++) {
      const c = this.text.charCodeAt(this.start + k);
      if ((c >= 97 && c <= 122 ? c - 32 : c) !== upper.charCodeAt(k)) return false;
    }
    return true;
  }

  /** The current Word token in upper case, or '' for any other token. */
  upperWord(): string {
    return this.kind === Tok.Word ? this.text.slice(this.start, this.end).toUpperCase() : '';
  }

  /** The mysql client splits at its delimiter wherever it appears outside literals (`END$$`): a word ends there. */
  private cutAtDelimiter(i: number, j: number): number {
    if (this.delimiter === ';') return j;
    for (let k = i + 1; k < j; k++) if (this.text.startsWith(this.delimiter, k)) return k;
    return j;
  }

  private finish(end: number, kind: Tok): Tok {
    this.end = end;
    this.pos = end;
    return (this.kind = kind);
  }

  private finishString(quoteAt: number, end: number): Tok {
    this.contentStart = quoteAt + 1;
    this.contentEnd = Math.max(quoteAt + 1, end - 1);
    return this.finish(end, Tok.String);
  }

  private lineEnd(i: number): number {
    const nl = this.text.indexOf('\n', i);
    return nl < 0 || nl > this.limit ? this.limit : nl;
  }

  /** From an opening quote at `i`, past the closing one; a doubled quote stays inside. */
  private skipQuoted(i: number, quote: number, backslashEscapes: boolean): number {
    const t = this.text;
    const q = quote === 39 ? "'" : quote === 34 ? '"' : '`';
    let j = i + 1;
    for (;;) {
      const k = t.indexOf(q, j);
      if (k < 0 || k >= this.limit) return this.unterminated(i);
      if (backslashEscapes) {
        let b = 0;
        for (let m = k - 1; m > i && t.charCodeAt(m) === 92; m--) b++;
        if (b % 2 === 1) {
          j = k + 1;
          continue;
        }
      }
      if (t.charCodeAt(k + 1) === quote && k + 1 < this.limit) {
        j = k + 2;
        continue;
      }
      return k + 1;
    }
  }

  private skipBlockComment(i: number): number {
    const t = this.text;
    const nests = this.dialect === 'postgres';
    let depth = 1;
    let j = i + 2;
    while (j < this.limit) {
      const c = t.charCodeAt(j);
      if (c === 42 && t.charCodeAt(j + 1) === 47) {
        depth--;
        j += 2;
        if (depth === 0 || !nests) return Math.min(j, this.limit);
      } else if (nests && c === 47 && t.charCodeAt(j + 1) === 42) {
        depth++;
        j += 2;
      } else j++;
    }
    return this.unterminated(i);
  }

  private unterminated(i: number): number {
    if (this.unterminatedAt < 0) this.unterminatedAt = i;
    return this.limit;
  }

  private skipNumber(i: number): number {
    const t = this.text;
    let j = i;
    while (j < this.limit) {
      const c = t.charCodeAt(j);
      if (isDigit(c) || c === 46 || c === 95 || (c >= 97 && c <= 122) || (c >= 65 && c <= 90)) j++;
      else if ((c === 43 || c === 45) && (t.charCodeAt(j - 1) | 32) === 101 && !t.startsWith('--', j)) j++;
      else break;
    }
    return j;
  }

  private lexDollar(i: number): Tok {
    const t = this.text;
    const c1 = t.charCodeAt(i + 1);
    if (isDigit(c1)) {
      let j = i + 2;
      while (j < this.limit && isDigit(t.charCodeAt(j))) j++;
      return this.finish(j, Tok.Param);
    }
    if (this.dialect === 'postgres') {
      let j = i + 1;
      if (c1 !== 36) {
        if (!isWordStart(c1)) return this.finish(i + 1, Tok.Op);
        while (j < this.limit && isWordPart(t.charCodeAt(j)) && t.charCodeAt(j) !== 36) j++;
        if (t.charCodeAt(j) !== 36) return this.finish(i + 1, Tok.Op);
      }
      const tag = t.slice(i, j + 1);
      const close = t.indexOf(tag, j + 1);
      const end = close < 0 || close + tag.length > this.limit ? this.unterminated(i) : close + tag.length;
      this.contentStart = j + 1;
      this.contentEnd = close < 0 ? this.limit : close;
      return this.finish(end, Tok.String);
    }
    return this.finish(i + 1, Tok.Op);
  }

  private lexBrace(i: number): Tok {
    const t = this.text;
    const c1 = t.charCodeAt(i + 1);
    const close = c1 === 123 ? '}}' : c1 === 37 ? '%}' : c1 === 35 ? '#}' : '';
    if (!close) return this.finish(i + 1, Tok.Punct);
    const k = t.indexOf(close, i + 2);
    const end = k < 0 || k + 2 > this.limit ? this.unterminated(i) : k + 2;
    return this.finish(end, c1 === 35 ? Tok.Comment : Tok.Template);
  }
}

/**
 * Whether any word of text[start, end) passes `test`, given how deep in parentheses it stands;
 * stops at the first that does. Comments and literals are not words.
 */
export function someWord(text: string, dialect: Dialect, start: number, end: number, test: (lex: SqlLexer, depth: number) => boolean): boolean {
  const lex = new SqlLexer(text, dialect, start, end);
  let depth = 0;
  for (let kind = lex.next(); kind !== Tok.End; kind = lex.next()) {
    if (kind === Tok.Punct) {
      const c = text.charCodeAt(lex.start);
      if (c === 40) depth++;
      else if (c === 41 && depth > 0) depth--;
    } else if (kind === Tok.Word && test(lex, depth)) return true;
  }
  return false;
}
