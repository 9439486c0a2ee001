import type { Node } from 'web-tree-sitter';
import { readArguments, readCallee, stripParentheses } from '../../parsing/javascript-syntax.js';

// SQL handed to a database from JavaScript: `knex.raw(...)`, `queryInterface.sequelize.query(...)`,
// `queryRunner.query(...)`, `db.runSql(...)`, `pgm.sql(...)`, tagged templates (`sql\`...\``).
// Template substitutions stay in the text as `${...}`: the SQL scanner reads them as placeholders.

/** SQL text read from code, and where its characters are in the source (-1: report at the call). */
export interface JsSql {
  text: string;
  /** Offset in the source of the text's first character, or undefined when it was assembled (report at the call). */
  sourceStart?: number;
}

const SQL_METHODS = new Set(['raw', 'query', 'runSql', 'sql', 'unsafe', 'executeSql', 'execute', 'exec', 'schemaRaw']);
const SQL_TAGS = /^(sql|SQL|raw|query)$/;

/**
 * The SQL a call runs, `{ unresolved }` naming what could not be followed, or undefined when the
 * call runs no SQL.
 */
export function readJsSqlCall(call: Node): JsSql | { unresolved: string } | undefined {
  const callee = readCallee(call);
  const args = call.childForFieldName('arguments');
  // A tagged template: `sql\`ALTER TABLE ...\``, `Prisma.sql\`...\``.
  if (args?.type === 'template_string') return callee && SQL_TAGS.test(callee.name) ? { text: args.text.slice(1, -1), sourceStart: args.startIndex + 1 } : undefined;
  // `db.runSql.bind(db, 'ALTER TABLE ...')` (async.series of bound calls): the SQL is the second argument.
  if (callee?.name === 'bind' && callee.receiver?.type === 'member_expression' && SQL_METHODS.has(callee.receiver.childForFieldName('property')?.text ?? '')) {
    const sql = readArguments(call)[1];
    return sql ? readSqlValue(stripParentheses(sql), 0) : undefined;
  }
  if (!callee || !SQL_METHODS.has(callee.name)) return undefined;
  // `exec`/`execute` of a child process or a prepared builder are not SQL; only a receiver that is a database's.
  const receiver = callee.receiver;
  const named = receiver?.type === 'identifier' || receiver?.type === 'member_expression';
  if ((callee.name === 'exec' || callee.name === 'execute') && !(named && /\b(db|knex|trx|client|connection|conn|pool|sequelize|queryRunner|manager|pgm)$/.test(receiver.text))) return undefined;
  const first = readArguments(call)[0];
  if (!first) return undefined;
  return readSqlValue(stripParentheses(first), 0);
}

/** A string, a template, a `+` of them, or a name bound to one in the file. */
function readSqlValue(node: Node, depth: number): JsSql | { unresolved: string } {
  if (depth > 6) return { unresolved: node.text.slice(0, 60) };
  switch (node.type) {
    case 'string':
      return { text: neutraliseEscapes(node.text.slice(1, -1)), sourceStart: node.startIndex + 1 };
    case 'template_string':
      return { text: neutraliseEscapes(node.text.slice(1, -1)), sourceStart: node.startIndex + 1 };
    case 'binary_expression': {
      if (node.childForFieldName('operator')?.text !== '+') return { unresolved: node.text.slice(0, 60) };
      const parts = [node.childForFieldName('left'), node.childForFieldName('right')].map((p) => (p ? readPart(stripParentheses(p), depth) : ''));
      return { text: parts.join('') };
    }
    case 'identifier': {
      const value = findBoundValue(node);
      if (!value) return { unresolved: node.text };
      // A string or template bound to a name keeps its place in the source (findings point at the SQL).
      return readSqlValue(stripParentheses(value), depth + 1);
    }
    case 'call_expression': {
      // `[...].join(';')` of string literals, `dedent\`...\``.
      const callee = readCallee(node);
      if (callee?.name === 'join' && callee.receiver?.type === 'array') {
        return { text: callee.receiver.namedChildren.map((c) => (c ? readPart(c, depth) : '')).join(';\n') };
      }
      const args = node.childForFieldName('arguments');
      if (args?.type === 'template_string' && /^(dedent|stripIndent|outdent)$/.test(callee?.name ?? '')) return { text: args.text.slice(1, -1) };
      return { unresolved: `${node.childForFieldName('function')?.text ?? 'a call'}(...)` };
    }
    default:
      return { unresolved: node.text.slice(0, 60) };
  }
}

/** One part of a `+`: its text, or `${...}` for what is only known at run time (read as a placeholder). */
function readPart(node: Node, depth: number): string {
  if (node.type === 'binary_expression' || node.type === 'string' || node.type === 'template_string') {
    const read = readSqlValue(node, depth);
    return 'text' in read ? read.text : `\${${read.unresolved.replace(/[{}\n]/g, ' ')}}`;
  }
  if (node.type === 'identifier') {
    const value = findBoundValue(node);
    const read = value ? readSqlValue(stripParentheses(value), depth + 1) : undefined;
    return read && 'text' in read ? read.text : `\${${node.text}}`;
  }
  return `\${${node.text.replace(/[{}\n]/g, ' ').slice(0, 40)}}`;
}

/** The value a `const`/`let`/`var` gives a name, in the nearest scope that declares it before `use`. */
function findBoundValue(use: Node): Node | undefined {
  const name = use.text;
  for (let scope: Node | null = use.parent; scope; scope = scope.parent) {
    if (scope.type !== 'statement_block' && scope.type !== 'program' && scope.type !== 'class_body') continue;
    for (const stmt of scope.namedChildren) {
      if (!stmt || stmt.startIndex > use.startIndex) break;
      const decl = stmt.type === 'export_statement' ? stmt.childForFieldName('declaration') : stmt;
      if (decl?.type !== 'lexical_declaration' && decl?.type !== 'variable_declaration') continue;
      for (const d of decl.namedChildren) {
        if (d?.type === 'variable_declarator' && d.childForFieldName('name')?.text === name) {
          const value = d.childForFieldName('value');
          if (value) return value;
        }
      }
    }
  }
  return undefined;
}

/** `\'` -> ` '`, `\n` -> ` ` + newline, `\`` -> ` \``: same length, so offsets hold. */
function neutraliseEscapes(raw: string): string {
  if (!raw.includes('\\')) return raw;
  return raw.replace(/\\([\s\S])/g, (m, c: string) => {
    if (c === 'n') return ' \n';
    if (c === 't') return ' \t';
    if (c === "'" || c === '"' || c === '\\' || c === '`' || c === '$') return ` ${c}`;
    return m;
  });
}
