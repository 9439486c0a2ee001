import { type Dialect, SqlLexer, Tok } from './sql-lexer.js';

export interface SqlToken {
  kind: Tok;
  start: number;
  end: number;
  /** Upper-cased text of a Word; the raw text of anything else. */
  value: string;
  /** Parenthesis depth the token sits at (the parentheses themselves at the outer depth). */
  depth: number;
  /** For string literals: the content range (between the quotes or dollar tags). */
  contentStart?: number;
  contentEnd?: number;
}

/** The tokens of one statement, comments dropped. */
export function tokenizeStatement(text: string, dialect: Dialect, start: number, end: number, limit = Infinity): SqlToken[] {
  const lex = new SqlLexer(text, dialect, start, end);
  const tokens: SqlToken[] = [];
  let depth = 0;
  while (tokens.length < limit) {
    const kind = lex.next();
    if (kind === Tok.End) break;
    if (kind === Tok.Comment) continue;
    const raw = text.slice(lex.start, lex.end);
    if (kind === Tok.Punct && raw === ')' && depth > 0) depth--;
    const token: SqlToken = { kind, start: lex.start, end: lex.end, value: kind === Tok.Word ? raw.toUpperCase() : raw, depth };
    if (kind === Tok.String) {
      token.contentStart = lex.contentStart;
      token.contentEnd = lex.contentEnd;
    }
    tokens.push(token);
    if (kind === Tok.Punct && raw === '(') depth++;
  }
  return tokens;
}

/** The identifier a Word or quoted identifier names, folded the way the dialect folds it. */
export function readIdentifier(token: SqlToken, text: string, dialect: Dialect): string | undefined {
  if (token.kind === Tok.Word) return token.value.toLowerCase();
  if (token.kind === Tok.QuotedIdent) {
    const raw = text.slice(token.start, token.end);
    const q = raw.charAt(raw.length - 1);
    const inner = raw.slice(raw.startsWith('U&') ? 3 : 1, -1).split(q + q).join(q);
    return dialect === 'mysql' ? inner.toLowerCase() : inner;
  }
  if (token.kind === Tok.Template) return text.slice(token.start, token.end);
  return undefined;
}

/**
 * A possibly qualified name starting at `tokens[i]` (`a`, `s.a`, `"S"."A"`, `db`.`t`): the folded
 * parts and the index after it.
 */
export function readQualifiedName(tokens: SqlToken[], i: number, text: string, dialect: Dialect): { parts: string[]; next: number } | undefined {
  const parts: string[] = [];
  let j = i;
  for (;;) {
    const t = tokens[j];
    const name = t ? readIdentifier(t, text, dialect) : undefined;
    if (name === undefined) break;
    parts.push(name);
    j++;
    if (tokens[j]?.value === '.' && tokens[j]?.kind === Tok.Punct) j++;
    else break;
  }
  return parts.length > 0 ? { parts, next: j } : undefined;
}
