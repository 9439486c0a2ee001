// The statement forms migrations write most (ALTER TABLE adding, altering and dropping columns and
// constraints, CREATE INDEX, DROP TABLE/INDEX), read from their tokens with the Postgres grammar's
// own rules for names, types and constraints: each token accounted for, nothing guessed. What this
// reads, the Postgres parser accepts, and the hits are the ones analyzeParsedStatement gives for
// the parser's tree (a test compares the two on the fixture corpus). Anything else is undefined:
// the parser reads it, as before. A folder of plain migrations then never loads the parser.
import { type SqlHit, VOLATILE_FUNCTIONS } from './analyze-parsed-statement.js';
import { COL_NAME_KEYWORDS, KEYWORDS, NOT_A_NAME } from './pg-keywords.js';
import { Tok } from './sql-lexer.js';
import type { SqlToken } from './tokenize-statement.js';

let enabled = true;
/** Whether the forms read here skip the parser (on by default; a test turns it off to compare). */
export function useUnderstoodReading(on: boolean): void {
  enabled = on;
}

/** The hits the parser's reading would give, or undefined when the statement is not one of the forms read here. */
export function readUnderstood(tokens: readonly SqlToken[], text: string): SqlHit[] | undefined {
  if (!enabled) return undefined;
  const r = new Reader(tokens, text);
  try {
    const hits = r.statement();
    return r.atEnd() ? hits : undefined;
  } catch (e) {
    if (e === NOT_READ) return undefined;
    throw e;
  }
}

const NOT_READ = Symbol('not read');
const SERIAL = new Set(['serial', 'serial2', 'serial4', 'serial8', 'smallserial', 'bigserial']);
const ASCII_WORD = /^[A-Z_]+$/;
const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const QUOTED_NAME = /^"((?:[\x20-\x21\x23-\x7e]|"")+)"$/;
const INTEGER = /^\d{1,9}$/;
const NUMBER = /^(?:\d+(?:\.\d*)?|\.\d+)$/;
const PLAIN_STRING = /^'(?:[^']|'')*'$/;

class Reader {
  private i = 0;
  constructor(
    private readonly tokens: readonly SqlToken[],
    private readonly text: string,
  ) {}

  atEnd(): boolean {
    return this.i === this.tokens.length;
  }

  statement(): SqlHit[] {
    if (this.take('ALTER')) {
      this.need('TABLE');
      return this.alterTable();
    }
    if (this.take('DROP')) {
      if (this.take('TABLE')) return this.dropTable();
      this.need('INDEX');
      return this.dropIndex();
    }
    this.need('CREATE');
    return this.createIndex();
  }

  // ALTER TABLE [IF EXISTS] [ONLY] name [*] clause [, clause]*
  private alterTable(): SqlHit[] {
    this.ifExists();
    const only = this.take('ONLY');
    const parts = this.qualified(2);
    if (!only) this.punct('*', true);
    const table = parts.join('.');
    const hits: SqlHit[] = [];
    do hits.push(...this.alterClause(table, parts));
    while (this.punct(',', true));
    return hits;
  }

  private alterClause(table: string, parts: string[]): SqlHit[] {
    const at = (rule: string, detail: string): SqlHit => ({ rule, detail, table: parts });
    if (this.take('ADD')) {
      const next = this.word();
      if (next === 'CONSTRAINT' || next === 'CHECK' || next === 'UNIQUE' || next === 'PRIMARY' || next === 'FOREIGN') return this.tableConstraint(table, parts);
      if (next === 'EXCLUDE') throw NOT_READ;
      this.take('COLUMN');
      if (this.take('IF')) this.need('NOT', 'EXISTS');
      const column = this.name();
      const col = this.columnDefinition();
      const hits: SqlHit[] = [];
      if (col.notNull && !col.hasDefault && !col.serial) hits.push(at('add-not-null-without-default', `${table}.${column}`));
      if (col.serial || col.volatile) hits.push(at('add-column-volatile-default', `${table}.${column}`));
      return hits;
    }
    if (this.take('DROP')) {
      if (this.take('CONSTRAINT')) {
        this.ifExists();
        this.name();
        if (!this.take('CASCADE')) this.take('RESTRICT');
        return [];
      }
      this.take('COLUMN');
      this.ifExists();
      const column = this.name();
      const cascade = this.take('CASCADE');
      if (!cascade) this.take('RESTRICT');
      const hits: SqlHit[] = [{ ...at('drop-column', `${table}.${column}`), object: `column:${(parts[parts.length - 1] ?? '').toLowerCase()}.${column.toLowerCase()}` }];
      if (cascade) hits.push({ rule: 'drop-cascade', detail: `COLUMN ${table}.${column}` });
      return hits;
    }
    if (this.take('VALIDATE')) {
      this.need('CONSTRAINT');
      this.name();
      return [];
    }
    this.need('ALTER');
    this.take('COLUMN');
    const column = this.name();
    if (this.take('SET')) {
      if (this.take('NOT')) {
        this.need('NULL');
        return [at('set-not-null', `${table}.${column}`)];
      }
      if (this.take('DEFAULT')) {
        this.defaultValue();
        return [];
      }
      this.need('DATA', 'TYPE');
      this.type();
      return [at('alter-column-type', `${table}.${column}`)];
    }
    if (this.take('DROP')) {
      if (!this.take('DEFAULT')) this.need('NOT', 'NULL');
      return [];
    }
    this.need('TYPE');
    this.type();
    return [at('alter-column-type', `${table}.${column}`)];
  }

  // [CONSTRAINT name] CHECK (expr) [NOT VALID] | FOREIGN KEY (cols) REFERENCES ... [NOT VALID] | UNIQUE / PRIMARY KEY (cols | USING INDEX name)
  private tableConstraint(table: string, parts: string[]): SqlHit[] {
    const name = this.take('CONSTRAINT') ? this.name() : table;
    const at = (rule: string): SqlHit => ({ rule, detail: name, table: parts });
    if (this.take('CHECK')) {
      this.punct('(');
      this.boolean();
      this.punct(')');
      return this.notValid() ? [] : [at('check-not-valid')];
    }
    if (this.take('FOREIGN')) {
      this.need('KEY');
      this.names();
      this.references();
      return this.notValid() ? [] : [at('fk-not-valid')];
    }
    if (!this.take('UNIQUE')) this.need('PRIMARY', 'KEY');
    if (this.take('USING')) {
      this.need('INDEX');
      this.name();
      return [];
    }
    this.names();
    return [at('unique-without-index')];
  }

  private notValid(): boolean {
    if (!this.take('NOT')) return false;
    this.need('VALID');
    return true;
  }

  // REFERENCES name [(cols)] [ON DELETE|UPDATE action]*
  private references(): void {
    this.need('REFERENCES');
    this.qualified(2);
    if (this.peekPunct('(')) this.names();
    while (this.take('ON')) {
      if (!this.take('DELETE')) this.need('UPDATE');
      if (this.take('SET')) {
        if (!this.take('NULL')) this.need('DEFAULT');
      } else if (this.take('NO')) this.need('ACTION');
      else if (!this.take('CASCADE')) this.need('RESTRICT');
    }
  }

  private columnDefinition(): { notNull: boolean; hasDefault: boolean; serial: boolean; volatile: boolean } {
    const serial = this.type();
    let notNull = false;
    let hasDefault = false;
    let volatile = false;
    for (;;) {
      const named = this.take('CONSTRAINT');
      if (named) this.name();
      if (this.take('NOT')) {
        this.need('NULL');
        notNull = true;
      } else if (this.take('NULL') || this.take('UNIQUE')) {
        // no rule reads these
      } else if (this.take('PRIMARY')) this.need('KEY');
      else if (this.take('DEFAULT')) {
        hasDefault = true;
        volatile = this.defaultValue() || volatile;
      } else if (this.word() === 'REFERENCES') this.references();
      else if (!named && (this.atEnd() || this.peekPunct(','))) return { notNull, hasDefault, serial, volatile };
      else throw NOT_READ;
    }
  }

  /** A literal, CURRENT_TIMESTAMP / CURRENT_DATE, or a call without arguments; true when the call is volatile. */
  private defaultValue(): boolean {
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

  private literal(): boolean {
    const t = this.tokens[this.i];
    if (!t) return false;
    if ((t.kind === Tok.Number && NUMBER.test(t.value)) || (t.kind === Tok.String && PLAIN_STRING.test(t.value))) {
      this.i++;
      return true;
    }
    return false;
  }

  /** A type as columns are declared with it; true for the serial types. */
  private type(): boolean {
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

  private modifiers(most: number): void {
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
  private boolean(): void {
    do {
      while (this.take('NOT'));
      this.comparison();
    } while (this.take('AND') || this.take('OR'));
  }

  private comparison(): void {
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

  private operand(): void {
    if (this.punct('(', true)) {
      this.boolean();
      this.punct(')');
      return;
    }
    if (this.take('TRUE') || this.take('FALSE') || this.take('NULL') || this.literal()) return;
    this.qualified(2);
  }

  /** One operator: adjacent operator characters, as the server's lexer joins them. */
  private operator(): string | undefined {
    let op = '';
    let end = -1;
    for (let t = this.tokens[this.i]; t && t.kind === Tok.Op && (end < 0 || t.start === end); t = this.tokens[this.i]) {
      op += t.value;
      end = t.end;
      this.i++;
    }
    return op || undefined;
  }

  // DROP TABLE [IF EXISTS] name [, name]* [CASCADE | RESTRICT]
  private dropTable(): SqlHit[] {
    this.ifExists();
    const tables: string[][] = [];
    do tables.push(this.qualified(3));
    while (this.punct(',', true));
    const cascade = this.take('CASCADE');
    if (!cascade) this.take('RESTRICT');
    const hits: SqlHit[] = [{ rule: 'drop-table', tables, detail: tables.map((t) => t.join('.')).join(', ') }];
    return cascade ? [...hits, { rule: 'drop-cascade', detail: 'TABLE' }] : hits;
  }

  // DROP INDEX [IF EXISTS] name [CASCADE | RESTRICT]
  private dropIndex(): SqlHit[] {
    this.ifExists();
    const name = this.qualified(2);
    const cascade = this.take('CASCADE');
    if (!cascade) this.take('RESTRICT');
    const index = name[name.length - 1] ?? '';
    const hits: SqlHit[] = [{ rule: 'drop-index-not-concurrent', ...(index ? { object: `index:${index.toLowerCase()}` } : {}) }];
    return cascade ? [...hits, { rule: 'drop-cascade', detail: 'INDEX' }] : hits;
  }

  // CREATE [UNIQUE] INDEX [[IF NOT EXISTS] name] ON [ONLY] table [USING method] (column [ASC|DESC] [NULLS FIRST|LAST], ...)
  private createIndex(): SqlHit[] {
    this.take('UNIQUE');
    this.need('INDEX');
    let index: string | undefined;
    if (this.take('IF')) {
      this.need('NOT', 'EXISTS');
      index = this.name();
    } else if (this.word() !== 'ON') index = this.name();
    this.need('ON');
    this.take('ONLY');
    const table = this.qualified(2);
    if (this.take('USING')) this.name();
    this.punct('(');
    do {
      this.name();
      if (!this.take('ASC')) this.take('DESC');
      if (this.take('NULLS') && !this.take('FIRST')) this.need('LAST');
    } while (this.punct(',', true));
    this.punct(')');
    return [{ rule: 'index-not-concurrent', detail: index, table }];
  }

  private ifExists(): void {
    if (this.take('IF')) this.need('EXISTS');
  }

  /** `( name [, name]* )` */
  private names(): void {
    this.punct('(');
    do this.name();
    while (this.punct(',', true));
    this.punct(')');
  }

  /** A name of up to `most` parts joined by dots. */
  private qualified(most: number): string[] {
    const parts = [this.name()];
    while (this.peekPunct('.')) {
      this.i++;
      parts.push(this.name());
    }
    if (parts.length > most) throw NOT_READ;
    return parts;
  }

  /** A column, table, constraint or index name (ColId), folded as the server folds it. */
  private name(): string {
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

  private raw(t: SqlToken): string {
    return this.text.slice(t.start, t.end);
  }

  /** The keyword here (upper case), or '' (a word with other than ASCII letters is no keyword: 'ıf' upper-cases to IF). */
  private word(): string {
    const t = this.tokens[this.i];
    return t && t.kind === Tok.Word && ASCII_WORD.test(t.value) && t.end - t.start === t.value.length ? t.value : '';
  }

  private take(word: string): boolean {
    if (this.word() !== word) return false;
    this.i++;
    return true;
  }

  private need(...words: string[]): void {
    for (const w of words) if (!this.take(w)) throw NOT_READ;
  }

  private peekPunct(p: string): boolean {
    const t = this.tokens[this.i];
    return t?.kind === Tok.Punct && t.value === p;
  }

  /** Takes punctuation `p`; when it is not there, false if optional, else not read. */
  private punct(p: string, optional = false): boolean {
    if (this.peekPunct(p) || (p === '*' && this.tokens[this.i]?.kind === Tok.Op && this.tokens[this.i]?.value === '*')) {
      this.i++;
      return true;
    }
    if (optional) return false;
    throw NOT_READ;
  }
}

const COMPARISONS = new Set(['=', '<>', '!=', '<', '>', '<=', '>=']);
/** Column-name keyword types written without modifiers. */
const PLAIN_TYPES = new Set(['int', 'integer', 'smallint', 'bigint', 'real', 'boolean', 'double', 'interval', 'json']);
const TAKES_MODIFIERS = new Set(['varchar', 'character', 'char', 'numeric', 'decimal', 'dec', 'float', 'bit', 'timestamp', 'time']);
