// The statement forms migrations write most (ALTER TABLE adding, altering and dropping columns and
// constraints, CREATE INDEX, DROP TABLE/INDEX), read from their tokens with the Postgres grammar's
// own rules for names, types and constraints: each token accounted for, nothing guessed. What this
// reads, the Postgres parser accepts, and the hits are the ones analyzeParsedStatement gives for
// the parser's tree (a test compares the two on the fixture corpus). Anything else is undefined:
// the parser reads it, as before. A folder of plain migrations then never loads the parser.
import type { SqlHit } from './analyze-parsed-statement.js';
import { GrammarReader, NOT_READ } from './grammar-reader.js';
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

class Reader extends GrammarReader {
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
}

