// The Postgres grammar's small parts, read from tokens: names (folded as the server folds them,
// keywords that are not names refused), qualified names, column types, defaults, a CHECK's simple
// condition, punctuation. Whatever a reader here cannot account for throws NOT_READ, and the
// statement goes to the parser (understood-sql.ts builds the statement forms on these).
import { VOLATILE_FUNCTIONS } from './analyze-parsed-statement.js';
import { COL_NAME_KEYWORDS, KEYWORDS, NOT_A_NAME } from './pg-keywords.js';
import { Tok } from './sql-lexer.js';
import type { SqlToken } from './tokenize-statement.js';

export const NOT_READ = Symbol('not read');
const SERIAL = new Set(['serial', 'serial2', 'serial4', 'serial8', 'smallserial', 'bigserial']);
const ASCII_WORD = /^[A-Z_]+$/;
const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const QUOTED_NAME = /^"((?:[\x20-\x21\x23-\x7e]|"")+)"$/;
const INTEGER = /^\d{1,9}$/;
const NUMBER = /^(?:\d+(?:\.\d*)?|\.\d+)$/;
const PLAIN_STRING = /^'(?:[^']|'')*'$/;
const COMPARISONS = new Set(['=', '<>', '!=', '<', '>', '<=', '>=']);
/** Column-name keyword types written without modifiers. */
const PLAIN_TYPES = new Set(['int', 'integer', 'smallint', 'bigint', 'real', 'boolean', 'double', 'interval', 'json']);
const TAKES_MODIFIERS = new Set(['varchar', 'character', 'char', 'numeric', 'decimal', 'dec', 'float', 'bit', 'timestamp', 'time']);

export class GrammarReader {
  protected i = 0;
  constructor(
    protected readonly tokens: readonly SqlToken[],
    protected readonly text: string,
  ) {}

  atEnd(): boolean {
    return this.i === this.tokens.length;
  }

  /** A literal, CURRENT_TIMESTAMP / CURRENT_DATE, or a call without arguments; true when the call is volatile. */
  protected defaultValue(): boolean {
    if (this.take('TRUE') || this.take('FALSE') || this.take('NULL') || this.take('CURRENT_TIMESTAMP') || this.take('CURRENT_DATE')) return false;
    const t = this.tokens[this.i];
    if (t?.kind === Tok.Op && t.value === '-' && this.tokens[this.i + 1]?.kind === Tok.Number && this.tokens[this.i + 1]?.start === t.end) this.i++;
    if (this.literal()) return false;
    const fn = this.tokens[this.i];
    if (!fn || fn.kind !== Tok.Word || !PLAIN_NAME.test(this.raw(fn)) || KEYWORDS.has(fn.value.toLowerCase())) throw NOT_READ;
    this.i++;
    this.punct('(');
    this.punct(')');
    return VOLATILE_FUNCTIONS.has(fn.value.toLowerCase());
  }

  protected literal(): boolean {
    const t = this.tokens[this.i];
    if (!t) return false;
    if ((t.kind === Tok.Number && NUMBER.test(t.value)) || (t.kind === Tok.String && PLAIN_STRING.test(t.value))) {
      this.i++;
      return true;
    }
    return false;
  }

  /** A type as columns are declared with it; true for the serial types. */
  protected type(): boolean {
    const t = this.tokens[this.i];
    if (!t || t.kind !== Tok.Word) throw NOT_READ;
    const word = t.value.toLowerCase();
    let serial = false;
    if (COL_NAME_KEYWORDS.has(word) || word === 'double') {
      this.i++;
      if (word === 'double') this.need('PRECISION');
      else if (word === 'character' || word === 'char' || word === 'bit') this.take('VARYING');
      if (TAKES_MODIFIERS.has(word)) this.modifiers(word === 'timestamp' || word === 'time' || word === 'float' || word === 'varchar' || word === 'character' || word === 'char' ? 1 : 2);
      else if (!PLAIN_TYPES.has(word)) throw NOT_READ;
      if ((word === 'timestamp' || word === 'time') && (this.take('WITH') || this.take('WITHOUT'))) this.need('TIME', 'ZONE');
    } else {
      serial = SERIAL.has(this.name());
      this.modifiers(2);
    }
    while (this.punct('[', true)) {
      const n = this.tokens[this.i];
      if (n?.kind === Tok.Number && INTEGER.test(n.value)) this.i++;
      this.punct(']');
    }
    return serial;
  }

  protected modifiers(most: number): void {
    if (!this.punct('(', true)) return;
    let n = 0;
    do {
      const t = this.tokens[this.i];
      if (!t || t.kind !== Tok.Number || !INTEGER.test(t.value) || ++n > most) throw NOT_READ;
      this.i++;
    } while (this.punct(',', true));
    this.punct(')');
  }

  // A CHECK's condition: comparisons and IS [NOT] NULL of names and literals, joined by AND / OR / NOT.
  protected boolean(): void {
    do {
      while (this.take('NOT'));
      this.comparison();
    } while (this.take('AND') || this.take('OR'));
  }

  protected comparison(): void {
    this.operand();
    const op = this.operator();
    if (op) {
      if (!COMPARISONS.has(op)) throw NOT_READ;
      this.operand();
    }
    if (this.take('IS')) {
      this.take('NOT');
      if (!this.take('NULL') && !this.take('TRUE')) this.need('FALSE');
    }
  }

  protected operand(): void {
    if (this.punct('(', true)) {
      this.boolean();
      this.punct(')');
      return;
    }
    if (this.take('TRUE') || this.take('FALSE') || this.take('NULL') || this.literal()) return;
    this.qualified(2);
  }

  /** One operator: adjacent operator characters, as the server's lexer joins them. */
  protected operator(): string | undefined {
    let op = '';
    let end = -1;
    for (let t = this.tokens[this.i]; t && t.kind === Tok.Op && (end < 0 || t.start === end); t = this.tokens[this.i]) {
      op += t.value;
      end = t.end;
      this.i++;
    }
    return op || undefined;
  }

  protected ifExists(): void {
    if (this.take('IF')) this.need('EXISTS');
  }

  /** `( name [, name]* )` */
  protected names(): void {
    this.punct('(');
    do this.name();
    while (this.punct(',', true));
    this.punct(')');
  }

  /** A name of up to `most` parts joined by dots. */
  protected qualified(most: number): string[] {
    const parts = [this.name()];
    while (this.peekPunct('.')) {
      this.i++;
      parts.push(this.name());
    }
    if (parts.length > most) throw NOT_READ;
    return parts;
  }

  /** A column, table, constraint or index name (ColId), folded as the server folds it. */
  protected name(): string {
    const t = this.tokens[this.i];
    if (!t) throw NOT_READ;
    if (t.kind === Tok.Word) {
      const raw = this.raw(t);
      const folded = raw.toLowerCase();
      if (!PLAIN_NAME.test(raw) || NOT_A_NAME.has(folded)) throw NOT_READ;
      this.i++;
      return folded;
    }
    const m = t.kind === Tok.QuotedIdent ? QUOTED_NAME.exec(this.raw(t)) : null;
    const inner = m?.[1]?.split('""').join('"');
    if (!inner || inner.length > 63) throw NOT_READ;
    this.i++;
    return inner;
  }

  protected raw(t: SqlToken): string {
    return this.text.slice(t.start, t.end);
  }

  /** The keyword here (upper case), or '' (a word with other than ASCII letters is no keyword: 'ıf' upper-cases to IF). */
  protected word(): string {
    const t = this.tokens[this.i];
    return t && t.kind === Tok.Word && ASCII_WORD.test(t.value) && t.end - t.start === t.value.length ? t.value : '';
  }

  protected take(word: string): boolean {
    if (this.word() !== word) return false;
    this.i++;
    return true;
  }

  protected need(...words: string[]): void {
    for (const w of words) if (!this.take(w)) throw NOT_READ;
  }

  protected peekPunct(p: string): boolean {
    const t = this.tokens[this.i];
    return t?.kind === Tok.Punct && t.value === p;
  }

  /** Takes punctuation `p`; when it is not there, false if optional, else not read. */
  protected punct(p: string, optional = false): boolean {
    if (this.peekPunct(p) || (p === '*' && this.tokens[this.i]?.kind === Tok.Op && this.tokens[this.i]?.value === '*')) {
      this.i++;
      return true;
    }
    if (optional) return false;
    throw NOT_READ;
  }
}
