import pg from 'pg';

/**
 * A statement with its parameters written in as literals, so that several statements of one
 * transaction go to the server in one message (the simple query protocol; node-postgres does not
 * pipeline). Values become quoted literals (the text node-postgres would send, through its own
 * escapeLiteral): a quoted literal is of unknown type until its context types it, as a parameter
 * is, so the statement means what it meant with parameters.
 *
 * Undefined when the statement cannot be written so with certainty, and it then goes on its own
 * with its parameters, as before: a `$` the scanner does not understand (a dollar-quoted string),
 * a comment, a parameter number past the values, a NUL in a value (the simple protocol ends the
 * text there), or a value of a kind it does not write (a date, bytes, an array of arrays).
 */
export function inlineStatement(sql: string, params: readonly unknown[]): string | undefined {
  const pieces = templateOf(sql);
  if (pieces === undefined) return undefined;
  const parts: string[] = [];
  for (const piece of pieces) {
    if (typeof piece === 'string') {
      parts.push(piece);
      continue;
    }
    if (piece < 0 || piece >= params.length) return undefined;
    const literal = toLiteral(params[piece]);
    if (literal === undefined) return undefined;
    parts.push(literal);
  }
  return parts.join('');
}

/**
 * The parameters as literals, in order, for `EXECUTE name(...)` of the statement prepared on the
 * connection (its plan kept, where a statement written out is planned at every call); undefined
 * when the statement or a value cannot be written out (as for inlineStatement).
 */
export function inlineArguments(sql: string, params: readonly unknown[]): string[] | undefined {
  if (templateOf(sql) === undefined) return undefined;
  const literals: string[] = [];
  for (const value of params) {
    const literal = toLiteral(value);
    if (literal === undefined) return undefined;
    literals.push(literal);
  }
  return literals;
}

// A statement's text cut at its parameters (text, parameter index, text, ...), or null when it
// cannot be written out; read once for each text the store sends (a bounded set: its statements).
const templates = new Map<string, (string | number)[] | null>();
const MAX_TEMPLATES = 1000;

function templateOf(sql: string): (string | number)[] | undefined {
  let pieces = templates.get(sql);
  if (pieces === undefined) {
    pieces = cut(sql);
    if (templates.size >= MAX_TEMPLATES) templates.clear();
    templates.set(sql, pieces);
  }
  return pieces ?? undefined;
}

function cut(sql: string): (string | number)[] | null {
  const pieces: (string | number)[] = [];
  let from = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      const end = sql.indexOf(c, i + 1);
      if (end < 0) return null;
      i = end + 1; // a doubled quote inside is two quoted pieces side by side: the same text
    } else if (c === '$') {
      const m = /^\$(\d+)/.exec(sql.slice(i, i + 8));
      if (!m) return null;
      pieces.push(sql.slice(from, i), Number(m[1]) - 1);
      i += m[0].length;
      from = i;
    } else if ((c === '-' && sql[i + 1] === '-') || (c === '/' && sql[i + 1] === '*') || c === ';' || c === '\\') {
      return null;
    } else i++;
  }
  pieces.push(sql.slice(from));
  return pieces;
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
