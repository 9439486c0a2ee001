import pg from 'pg';

/**
 * The parameters of a statement written as literals, in order, for `EXECUTE name(...)` of the
 * statement prepared on the connection (pg-batch.ts), so that several statements of one
 * transaction go to the server in one message (the simple query protocol; node-postgres does not
 * pipeline). Values become quoted literals (the text node-postgres would send, through its own
 * escapeLiteral): a quoted literal is of unknown type until the parameter's type is given it, as
 * a parameter's value is, so the statement means what it meant with parameters.
 *
 * Undefined when the statement cannot go in such a message with certainty, and it then goes on its
 * own with its parameters: a `$` the scanner does not understand (a dollar-quoted string), a
 * comment, a semicolon, a NUL in a value (the simple protocol ends the text there), or a value of a
 * kind it does not write (a date, bytes, an array of arrays).
 */
export function inlineArguments(sql: string, params: readonly unknown[]): string[] | undefined {
  if (!writable(sql)) return undefined;
  const literals: string[] = [];
  for (const value of params) {
    const literal = toLiteral(value);
    if (literal === undefined) return undefined;
    literals.push(literal);
  }
  return literals;
}

// Whether a statement's text can go as it is into a message of several (read once for each text
// the store sends: a bounded set, its statements).
const writables = new Map<string, boolean>();
const MAX_TEXTS = 1000;

function writable(sql: string): boolean {
  let ok = writables.get(sql);
  if (ok === undefined) {
    ok = scan(sql);
    if (writables.size >= MAX_TEXTS) writables.clear();
    writables.set(sql, ok);
  }
  return ok;
}

function scan(sql: string): boolean {
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      const end = sql.indexOf(c, i + 1);
      if (end < 0) return false;
      i = end + 1; // a doubled quote inside is two quoted pieces side by side: the same text
    } else if (c === '$') {
      const m = /^\$\d+/.exec(sql.slice(i, i + 8));
      if (!m) return false;
      i += m[0].length;
    } else if ((c === '-' && sql[i + 1] === '-') || (c === '/' && sql[i + 1] === '*') || c === ';' || c === '\\') {
      return false;
    } else i++;
  }
  return true;
}

// What node-postgres would send for a parameter, as a quoted literal: the kinds the store passes
// (an array of them as PostgreSQL's array text, every element quoted, as node-postgres writes it).
// Anything else (a Date, bytes, an object) keeps its parameter path.
function toLiteral(value: unknown): string | undefined {
  if (value === null || value === undefined) return 'NULL';
  const text = Array.isArray(value) ? arrayText(value) : scalarText(value);
  return text === undefined || text.includes('\0') ? undefined : pg.escapeLiteral(text);
}

function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  return undefined;
}

function arrayText(values: readonly unknown[]): string | undefined {
  const items: string[] = [];
  for (const v of values) {
    if (v === null || v === undefined) {
      items.push('NULL');
      continue;
    }
    const text = scalarText(v);
    if (text === undefined) return undefined;
    items.push(`"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`);
  }
  return `{${items.join(',')}}`;
}
