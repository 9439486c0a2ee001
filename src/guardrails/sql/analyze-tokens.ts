// The same rules read from tokens, for statements the Postgres parser rejects (MySQL dialect,
// templated SQL). Comments and literals are already tokens of their own, so a keyword here is a
// keyword of the statement; clauses are split at top-level commas.
import { type SqlHit, VOLATILE_FUNCTIONS as VOLATILE } from './analyze-parsed-statement.js';
import type { Dialect } from './sql-lexer.js';
import { Tok } from './sql-lexer.js';
import { type SqlToken, readIdentifier, readQualifiedName } from './tokenize-statement.js';

const NOT_A_COLUMN_AFTER_ADD = new Set([
  'CONSTRAINT', 'FOREIGN', 'PRIMARY', 'UNIQUE', 'CHECK', 'INDEX', 'KEY', 'FULLTEXT', 'SPATIAL', 'PARTITION', 'EXCLUDE',
]);
const NOT_A_COLUMN_AFTER_DROP = new Set([
  'CONSTRAINT', 'INDEX', 'KEY', 'PRIMARY', 'FOREIGN', 'CHECK', 'PARTITION', 'DEFAULT', 'EXPRESSION', 'IDENTITY',
]);
const SERIAL_TYPES = new Set(['SERIAL', 'SERIAL2', 'SERIAL4', 'SERIAL8', 'SMALLSERIAL', 'BIGSERIAL']);

export function analyzeTokens(tokens: SqlToken[], text: string, dialect: Dialect): SqlHit[] {
  const w = (i: number): string => wordAt(tokens, i);
  switch (w(0)) {
    case 'DROP':
      return findDropHits(tokens, text, dialect);
    case 'TRUNCATE':
      return [{ rule: 'truncate' }];
    case 'DELETE':
      return hasWhereAt(tokens, 1, 0) ? [] : [{ rule: 'delete-without-where' }];
    case 'UPDATE':
      return hasWhereAt(tokens, 1, 0) ? [] : [{ rule: 'update-without-where' }];
    case 'WITH':
      return findNestedWriteHits(tokens);
    case 'ALTER': {
      let i = 1;
      while (w(i) === 'ONLINE' || w(i) === 'OFFLINE' || w(i) === 'IGNORE') i++;
      return w(i) === 'TABLE' ? findAlterTableHits(tokens, i + 1, text, dialect) : [];
    }
    case 'RENAME':
      return w(1) === 'TABLE' ? [{ rule: 'rename-table' }] : [];
    case 'CREATE':
      return findCreateIndexHits(tokens, text, dialect);
    default:
      return [];
  }
}

/** The table (or view) a CREATE TABLE / VIEW statement makes, as folded name parts; undefined for anything else. */
export function readCreatedTable(tokens: SqlToken[], text: string, dialect: Dialect): string[] | undefined {
  if (wordAt(tokens, 0) !== 'CREATE') return undefined;
  let i = 1;
  if (wordAt(tokens, i) === 'OR' && wordAt(tokens, i + 1) === 'REPLACE') i += 2;
  while (['GLOBAL', 'LOCAL', 'TEMP', 'TEMPORARY', 'UNLOGGED', 'MATERIALIZED'].includes(wordAt(tokens, i))) i++;
  // A view made here is as new as a table made here (ClickHouse drops views with DROP TABLE).
  if (wordAt(tokens, i) !== 'TABLE' && wordAt(tokens, i) !== 'VIEW') return undefined;
  i++;
  // IF NOT EXISTS: the table may be an old one, holding data; it is not "created here".
  if (wordAt(tokens, i) === 'IF' && wordAt(tokens, i + 1) === 'NOT' && wordAt(tokens, i + 2) === 'EXISTS') return undefined;
  return readQualifiedName(tokens, i, text, dialect)?.parts;
}

/** True when a WHERE sits at `depth` from `from` on, before the enclosing parenthesis closes. */
export function hasWhereAt(tokens: SqlToken[], from: number, depth: number): boolean {
  for (let i = from; i < tokens.length; i++) {
    const t = tokens[i];
    if (!t || t.depth < depth) return false;
    if (t.depth === depth && t.kind === Tok.Word && t.value === 'WHERE') return true;
  }
  return false;
}

function findDropHits(tokens: SqlToken[], text: string, dialect: Dialect): SqlHit[] {
  const hits = findDropObjectHits(tokens, text, dialect);
  const cascade = tokens.some((t) => t.depth === 0 && t.kind === Tok.Word && t.value === 'CASCADE');
  return cascade ? [...hits, { rule: 'drop-cascade', detail: wordAt(tokens, 1) }] : hits;
}

function findDropObjectHits(tokens: SqlToken[], text: string, dialect: Dialect): SqlHit[] {
  const what = wordAt(tokens, 1);
  if (what === 'DATABASE') return [{ rule: 'drop-database' }];
  if (what === 'SCHEMA') return [{ rule: 'drop-schema' }];
  if (what === 'INDEX') {
    if (wordAt(tokens, 2) === 'CONCURRENTLY') return [];
    let i = 2;
    if (wordAt(tokens, i) === 'IF' && wordAt(tokens, i + 1) === 'EXISTS') i += 2;
    const name = readQualifiedName(tokens, i, text, dialect)?.parts;
    const index = name?.[name.length - 1]?.toLowerCase();
    return [{ rule: 'drop-index-not-concurrent', ...(index ? { object: `index:${index}` } : {}) }];
  }
  if (what !== 'TABLE') return [];
  let i = 2;
  if (wordAt(tokens, i) === 'IF' && wordAt(tokens, i + 1) === 'EXISTS') i += 2;
  const tables: string[][] = [];
  for (;;) {
    const name = readQualifiedName(tokens, i, text, dialect);
    if (!name) break;
    tables.push(name.parts);
    i = name.next;
    if (tokens[i]?.value !== ',') break;
    i++;
  }
  return [{ rule: 'drop-table', tables, detail: tables.map((t) => t.join('.')).join(', ') || undefined }];
}

/** DELETE/UPDATE inside a WITH statement (data-modifying CTEs and the main statement). */
function findNestedWriteHits(tokens: SqlToken[]): SqlHit[] {
  const hits: SqlHit[] = [];
  tokens.forEach((t, i) => {
    if (t.kind !== Tok.Word || (t.value !== 'DELETE' && t.value !== 'UPDATE')) return;
    const before = wordAt(tokens, i - 1);
    if (before === 'FOR' || before === 'ON' || before === 'KEY' || before === 'NO') return;
    if (hasWhereAt(tokens, i + 1, t.depth)) return;
    hits.push({ rule: t.value === 'DELETE' ? 'delete-without-where' : 'update-without-where' });
  });
  return hits;
}

function findCreateIndexHits(tokens: SqlToken[], text: string, dialect: Dialect): SqlHit[] {
  let i = 1;
  if (wordAt(tokens, i) === 'UNIQUE') i++;
  if (wordAt(tokens, i) !== 'INDEX') return [];
  if (wordAt(tokens, i + 1) === 'CONCURRENTLY') return [];
  const on = tokens.findIndex((t) => t.depth === 0 && t.kind === Tok.Word && t.value === 'ON');
  let at = on + 1;
  if (wordAt(tokens, at) === 'ONLY') at++;
  const table = on > 0 ? readQualifiedName(tokens, at, text, dialect)?.parts : undefined;
  return [{ rule: 'index-not-concurrent', ...(table ? { table } : {}) }];
}

function findAlterTableHits(tokens: SqlToken[], from: number, text: string, dialect: Dialect): SqlHit[] {
  let i = from;
  if (wordAt(tokens, i) === 'IF' && wordAt(tokens, i + 1) === 'EXISTS') i += 2;
  if (wordAt(tokens, i) === 'ONLY') i++;
  const name = readQualifiedName(tokens, i, text, dialect);
  if (!name) return [];
  i = name.next;
  if (tokens[i]?.value === '*') i++;
  const hits: SqlHit[] = [];
  const table = (name.parts[name.parts.length - 1] ?? '').toLowerCase();
  for (const clause of splitClauses(tokens, i)) {
    for (const hit of findClauseHits(clause)) {
      const column = hit.rule === 'drop-column' ? readClauseColumn(clause, text, dialect) : undefined;
      hits.push({ ...hit, table: name.parts, ...(column ? { object: `column:${table}.${column}` } : {}) });
    }
  }
  return hits;
}

/**
 * What a statement adds that a down migration may drop again without loss of anything older:
 * `column:t.c` for ADD COLUMN, `index:i` for CREATE INDEX.
 */
export function readAdditions(tokens: SqlToken[], text: string, dialect: Dialect): string[] {
  if (wordAt(tokens, 0) === 'CREATE') {
    let i = 1;
    if (wordAt(tokens, i) === 'UNIQUE') i++;
    if (wordAt(tokens, i) !== 'INDEX') return [];
    i++;
    if (wordAt(tokens, i) === 'CONCURRENTLY') i++;
    if (wordAt(tokens, i) === 'IF' && wordAt(tokens, i + 1) === 'NOT' && wordAt(tokens, i + 2) === 'EXISTS') i += 3;
    const name = wordAt(tokens, i) === 'ON' ? undefined : readQualifiedName(tokens, i, text, dialect)?.parts;
    const index = name?.[name.length - 1];
    return index ? [`index:${index.toLowerCase()}`] : [];
  }
  if (wordAt(tokens, 0) !== 'ALTER' || wordAt(tokens, 1) !== 'TABLE') return [];
  let i = 2;
  if (wordAt(tokens, i) === 'IF' && wordAt(tokens, i + 1) === 'EXISTS') i += 2;
  if (wordAt(tokens, i) === 'ONLY') i++;
  const name = readQualifiedName(tokens, i, text, dialect);
  if (!name) return [];
  const table = (name.parts[name.parts.length - 1] ?? '').toLowerCase();
  const added: string[] = [];
  for (const c of splitClauses(tokens, name.next)) {
    if (wordAt(c, 0) !== 'ADD' || NOT_A_COLUMN_AFTER_ADD.has(wordAt(c, 1))) continue;
    const column = readClauseColumn(c, text, dialect);
    if (column) added.push(`column:${table}.${column}`);
  }
  return added;
}

/** The table a CREATE INDEX statement is on (`... ON [ONLY] name`), as folded name parts. */
export function readIndexedTable(tokens: SqlToken[], text: string, dialect: Dialect): string[] | undefined {
  const on = tokens.findIndex((t) => t.depth === 0 && t.kind === Tok.Word && t.value === 'ON');
  if (on < 0) return undefined;
  return readQualifiedName(tokens, wordAt(tokens, on + 1) === 'ONLY' ? on + 2 : on + 1, text, dialect)?.parts;
}

/** The column an ADD or DROP clause names: `ADD [COLUMN] [IF [NOT] EXISTS] name`. */
function readClauseColumn(c: SqlToken[], text: string, dialect: Dialect): string | undefined {
  let i = wordAt(c, 1) === 'COLUMN' ? 2 : 1;
  if (wordAt(c, i) === 'IF' && wordAt(c, i + 1) === 'NOT' && wordAt(c, i + 2) === 'EXISTS') i += 3;
  else if (wordAt(c, i) === 'IF' && wordAt(c, i + 1) === 'EXISTS') i += 2;
  const t = c[i];
  return t ? readIdentifier(t, text, dialect)?.toLowerCase() : undefined;
}

function splitClauses(tokens: SqlToken[], from: number): SqlToken[][] {
  const clauses: SqlToken[][] = [];
  let current: SqlToken[] = [];
  for (let i = from; i < tokens.length; i++) {
    const t = tokens[i];
    if (!t) break;
    if (t.depth === 0 && t.kind === Tok.Punct && t.value === ',') {
      clauses.push(current);
      current = [];
    } else current.push(t);
  }
  clauses.push(current);
  return clauses.filter((c) => c.length > 0);
}

function findClauseHits(c: SqlToken[]): SqlHit[] {
  const hit = findClauseHit(c);
  const hits = hit ? [hit] : [];
  if (wordAt(c, 0) === 'ADD') hits.push(...findConstraintHits(c));
  if (wordAt(c, 0) === 'DROP' && c.some((t) => t.depth === 0 && t.value === 'CASCADE' && t.kind === Tok.Word)) hits.push({ rule: 'drop-cascade', detail: 'COLUMN' });
  return hits;
}

/** ADD CHECK without NOT VALID, ADD UNIQUE / PRIMARY KEY without USING INDEX, and columns whose default rewrites the table. */
function findConstraintHits(c: SqlToken[]): SqlHit[] {
  const top = (word: string): boolean => c.some((t) => t.depth === 0 && t.kind === Tok.Word && t.value === word);
  const notValid = c.some((t, i) => t.depth === 0 && t.value === 'NOT' && wordAt(c, i + 1) === 'VALID');
  const first = wordAt(c, 1) === 'CONSTRAINT' ? wordAt(c, 3) : wordAt(c, 1);
  if (NOT_A_COLUMN_AFTER_ADD.has(wordAt(c, 1))) {
    if (first === 'CHECK' && !notValid) return [{ rule: 'check-not-valid' }];
    if ((first === 'UNIQUE' || first === 'PRIMARY' || first === 'EXCLUDE') && !(top('USING') && top('INDEX'))) return [{ rule: 'unique-without-index' }];
    return [];
  }
  const volatile = c.some((t, i) => t.depth === 0 && t.value === 'DEFAULT' && VOLATILE.has((c[i + 1]?.value ?? '').toLowerCase()) && c[i + 2]?.value === '(');
  const serial = SERIAL_TYPES.has(wordAt(c, wordAt(c, 1) === 'COLUMN' ? 3 : 2));
  const generated = top('GENERATED') && (top('STORED') || top('IDENTITY'));
  return volatile || serial || generated ? [{ rule: 'add-column-volatile-default' }] : [];
}

function findClauseHit(c: SqlToken[]): SqlHit | undefined {
  const w = (i: number): string => wordAt(c, i);
  switch (w(0)) {
    case 'ADD':
      return findAddHit(c);
    case 'DROP':
      return NOT_A_COLUMN_AFTER_DROP.has(w(1)) ? undefined : { rule: 'drop-column' };
    case 'RENAME':
      if (w(1) === 'TO' || w(1) === 'AS') return { rule: 'rename-table' };
      if (w(1) === 'COLUMN') return { rule: 'rename-column' };
      if (w(1) === 'CONSTRAINT' || w(1) === 'INDEX' || w(1) === 'KEY') return undefined;
      return wordAt(c, 2) === 'TO' ? { rule: 'rename-column' } : { rule: 'rename-table' };
    case 'ALTER': {
      const at = w(1) === 'COLUMN' ? 3 : 2;
      if (w(at) === 'SET' && w(at + 1) === 'NOT' && w(at + 2) === 'NULL') return { rule: 'set-not-null' };
      const type = w(at) === 'SET' && w(at + 1) === 'DATA' ? at + 2 : at;
      return w(type) === 'TYPE' ? { rule: 'alter-column-type' } : undefined;
    }
    case 'CHANGE': {
      const at = w(1) === 'COLUMN' ? 2 : 1;
      const oldToken = c[at];
      const newToken = c[at + 1];
      const oldName = oldToken ? foldIdentifier(oldToken) : '';
      const newName = newToken ? foldIdentifier(newToken) : '';
      return oldName && newName && oldName !== newName ? { rule: 'rename-column' } : { rule: 'alter-column-type' };
    }
    case 'MODIFY':
      return { rule: 'alter-column-type' };
    default:
      return undefined;
  }
}

function findAddHit(c: SqlToken[]): SqlHit | undefined {
  const w = (i: number): string => wordAt(c, i);
  if (NOT_A_COLUMN_AFTER_ADD.has(w(1))) {
    const foreign = c.some((t) => t.depth === 0 && t.kind === Tok.Word && t.value === 'FOREIGN');
    const notValid = c.some((t, i) => t.depth === 0 && t.value === 'NOT' && wordAt(c, i + 1) === 'VALID');
    return foreign && !notValid ? { rule: 'fk-not-valid' } : undefined;
  }
  let i = w(1) === 'COLUMN' ? 2 : 1;
  if (w(i) === 'IF' && w(i + 1) === 'NOT' && w(i + 2) === 'EXISTS') i += 3;
  const typeWord = w(i + 1);
  let notNull = false;
  for (let k = i + 1; k < c.length; k++) {
    const t = c[k];
    if (!t || t.depth !== 0 || t.kind !== Tok.Word) continue;
    if (t.value === 'DEFAULT' || t.value === 'GENERATED' || t.value === 'AUTO_INCREMENT' || t.value === 'AS') return undefined;
    if (t.value === 'NOT' && wordAt(c, k + 1) === 'NULL') notNull = true;
  }
  return notNull && !SERIAL_TYPES.has(typeWord) ? { rule: 'add-not-null-without-default' } : undefined;
}

function wordAt(tokens: SqlToken[], i: number): string {
  const t = tokens[i];
  return t && t.kind === Tok.Word ? t.value : '';
}

function foldIdentifier(t: SqlToken): string {
  if (t.kind === Tok.Word) return t.value.toLowerCase();
  return t.value.slice(1, -1).toLowerCase();
}
