import type { Node } from 'web-tree-sitter';
import { readArguments, readCallee, readJsString, stripParentheses } from '../../parsing/javascript-syntax.js';

// The schema-builder calls of JavaScript migrations mapped to the SQL rules, with the table (and
// column or index) each acts on: Knex and Kysely builders (`schema.table('t', (t) => t.dropColumn('c'))`,
// `schema.alterTable('t').dropColumn('c')`), and the direct calls of Sequelize's queryInterface,
// TypeORM's queryRunner, db-migrate's db and node-pg-migrate's pgm (`removeColumn('t', 'c')`).

export interface JsOperationHit {
  rule: string;
  table?: string;
  /** What the call adds or removes, as the SQL side names it: `column:t.c`, `index:name`. */
  object?: string;
  detail?: string;
  /** For a changed column: the type it is given, as written (`Sequelize.UUID`), to compare with the other step's. */
  typeText?: string;
}

/** What a call does to the schema: its hits, and the tables and objects it creates. */
export interface JsOperation {
  hits: JsOperationHit[];
  creates?: string;
  adds?: string[];
}

const BUILDER_CALLS = new Set(['table', 'alterTable', 'createTable', 'createTableIfNotExists', 'createTableLike']);

/** Whether a call is the outermost of its chain (`a.b().c()` is read once, from `c`). */
export function isChainEnd(call: Node): boolean {
  const parent = call.parent;
  return !(parent?.type === 'member_expression' && parent.parent?.type === 'call_expression' && parent.equals(parent.parent.childForFieldName('function') ?? parent));
}

/** The calls of a chain, outermost first, and what it starts from. */
function readChain(call: Node): { calls: { name: string; call: Node }[]; root: Node } {
  const calls: { name: string; call: Node }[] = [];
  let n: Node = call;
  for (;;) {
    const inner = stripParentheses(n);
    if (inner.type === 'call_expression') {
      const callee = readCallee(inner);
      calls.push({ name: callee?.name ?? '', call: inner });
      const fn = inner.childForFieldName('function');
      if (fn?.type === 'member_expression' && fn.childForFieldName('object')) {
        n = fn.childForFieldName('object') as Node;
        continue;
      }
      return { calls, root: inner };
    }
    if (inner.type === 'member_expression' && inner.childForFieldName('object')) {
      n = inner.childForFieldName('object') as Node;
      continue;
    }
    return { calls, root: inner };
  }
}

/** The table a builder call acts on, and whether it is being created: from its chain, or the callback it is in. */
function readBuilderTable(chain: { calls: { name: string; call: Node }[]; root: Node }): { table: string; creating: boolean; at: number } | undefined {
  for (const [at, c] of chain.calls.entries()) {
    if (!BUILDER_CALLS.has(c.name)) continue;
    // `knex.table('t')` is a query; `knex.schema.table('t', ...)` changes the table.
    if (c.name === 'table' && !/schema/.test(c.call.childForFieldName('function')?.text ?? '')) continue;
    const table = readJsString(readArguments(c.call)[0]);
    if (table !== undefined) return { table: table.toLowerCase(), creating: c.name.startsWith('create'), at };
  }
  if (chain.root.type !== 'identifier') return undefined;
  for (let fn: Node | null = chain.root.parent; fn; fn = fn.parent) {
    if (fn.type !== 'arrow_function' && fn.type !== 'function_expression' && fn.type !== 'function') continue;
    const params = fn.childForFieldName('parameters') ?? fn.childForFieldName('parameter');
    const first = params?.type === 'identifier' ? params : params?.namedChildren[0];
    if ((first?.childForFieldName('pattern') ?? first)?.text !== chain.root.text) continue;
    const outer = fn.parent?.type === 'arguments' ? fn.parent.parent : undefined;
    const name = outer?.type === 'call_expression' ? readCallee(outer)?.name : undefined;
    if (!outer || !name || !BUILDER_CALLS.has(name)) return undefined;
    const table = readJsString(readArguments(outer)[0]);
    return table === undefined ? undefined : { table: table.toLowerCase(), creating: name.startsWith('create'), at: chain.calls.length };
  }
  return undefined;
}

/** What one chain of calls (given by its outermost call) does to the schema. */
export function readJsOperation(call: Node): JsOperation {
  const chain = readChain(call);
  const builder = readBuilderTable(chain);
  if (builder) {
    const own = builder.creating ? { hits: [], creates: builder.table } : readBuilderOperation(chain.calls.slice(0, builder.at), builder.table);
    // `schema.dropTable('t').createTable('t', ...)`: what the chain did before the builder call counts too.
    const before = chain.calls.slice(builder.at + 1).filter((c) => readCallee(c.call)?.receiver).flatMap((c) => readDirectOperation(c.name, readArguments(c.call)).hits);
    return { ...own, hits: [...before, ...own.hits] };
  }
  const row = readRowOperation(chain);
  if (row) return row;
  const found: JsOperation = { hits: [], adds: [] };
  for (const c of [...chain.calls].reverse()) {
    if (!readCallee(c.call)?.receiver) continue;
    const op = readDirectOperation(c.name, readArguments(c.call));
    found.hits.push(...op.hits);
    found.adds?.push(...(op.adds ?? []));
    if (op.creates) found.creates = op.creates;
  }
  return found;
}

/** Knex `table.*` and Kysely `alterTable('t').*` calls on a table that exists. */
function readBuilderOperation(calls: { name: string; call: Node }[], table: string): JsOperation {
  const names = new Set(calls.map((c) => c.name));
  const innermost = calls[calls.length - 1];
  const args = innermost ? readArguments(innermost.call) : [];
  const strings = args.flatMap((a) => readStrings(a));
  const column = strings[0]?.toLowerCase();
  const at = (rule: string, col = column): JsOperationHit => ({ rule, table, ...(col ? { detail: `${table}.${col}` } : { detail: table }) });
  const hits: JsOperationHit[] = [];
  const adds: string[] = [];
  for (const { name, call } of calls) {
    const own = readArguments(call).flatMap((a) => readStrings(a)).map((s) => s.toLowerCase());
    switch (name) {
      case 'dropColumn':
      case 'dropColumns':
        for (const c of own) hits.push({ ...at('drop-column', c), object: `column:${table}.${c}` });
        break;
      case 'renameColumn':
        hits.push(at('rename-column', own[0]));
        break;
      case 'dropIndex':
      case 'dropUnique': {
        const index = readKnexIndexName(call, table, name === 'dropUnique' ? 'unique' : 'index');
        hits.push({ ...at('drop-index-not-concurrent', index), ...(index ? { object: `index:${index}` } : {}) });
        break;
      }
      case 'index':
      case 'unique': {
        // On a column being added (`t.string('c').unique()`) the index is named after it.
        const index = call.equals(innermost?.call ?? call) ? readKnexIndexName(call, table, name) : column ? `${table}_${column}_${name}` : undefined;
        hits.push(at('index-not-concurrent', index ?? column));
        if (index) adds.push(`index:${index}`);
        break;
      }
      case 'foreign':
      case 'references':
        hits.push(at('fk-not-valid'));
        break;
      case 'setDataType':
        hits.push(at('alter-column-type'));
        break;
      case 'setNotNull':
        hits.push(at('set-not-null'));
        break;
    }
  }
  if (names.has('alter')) {
    hits.push(at('alter-column-type'));
    if (names.has('notNullable')) hits.push(at('set-not-null'));
  } else if (column && innermost && !BUILDER_CALLS.has(innermost.name) && isColumnType(innermost.name)) {
    adds.push(`column:${table}.${column}`);
    if (names.has('notNullable') && !names.has('defaultTo') && !names.has('increments') && !names.has('primary')) hits.push(at('add-not-null-without-default'));
  }
  return { hits, adds };
}

/** Knex's index name: the one given, else `table_col1_col2_index` (or `_unique`). */
function readKnexIndexName(call: Node, table: string, suffix: string): string | undefined {
  const [columns, name] = readArguments(call);
  const given = readJsString(name);
  if (given !== undefined) return given.toLowerCase();
  const cols = columns ? readStrings(columns) : [];
  return cols.length > 0 ? `${table}_${cols.join('_')}_${suffix}`.toLowerCase() : undefined;
}

const NOT_COLUMN_TYPES = new Set(['dropColumn', 'dropColumns', 'renameColumn', 'dropIndex', 'dropUnique', 'index', 'unique', 'foreign', 'dropForeign', 'dropPrimary', 'primary', 'alterColumn', 'raw', 'comment', 'dropTimestamps', 'engine', 'charset', 'collate', 'inherits', 'check', 'dropChecks', 'setNullable', 'dropNullable']);
function isColumnType(name: string): boolean {
  return !NOT_COLUMN_TYPES.has(name) && /^[a-z][A-Za-z]*$/.test(name);
}

/** `knex('t').del()` and `.update(...)` without a `where`: every row. */
function readRowOperation(chain: { calls: { name: string; call: Node }[]; root: Node }): JsOperation | undefined {
  const root = chain.calls[chain.calls.length - 1];
  if (!root || chain.root.type !== 'call_expression' || !/^(knex|trx|db|k)$/.test(root.call.childForFieldName('function')?.text ?? '')) return undefined;
  const table = readJsString(readArguments(root.call)[0])?.toLowerCase();
  const names = chain.calls.map((c) => c.name);
  if (names.some((n) => /^(where|whereIn|whereNot|whereNull|whereNotNull|andWhere|orWhere|whereRaw|limit)/.test(n))) return { hits: [] };
  if (names.includes('del') || names.includes('delete')) return { hits: [{ rule: 'delete-without-where', ...(table ? { table, detail: table } : {}) }] };
  if (names.includes('update')) return { hits: [{ rule: 'update-without-where', ...(table ? { table, detail: table } : {}) }] };
  if (names.includes('truncate')) return { hits: [{ rule: 'truncate', ...(table ? { table, detail: table } : {}) }] };
  return { hits: [] };
}

/** queryInterface / queryRunner / db / pgm calls: (table, column, ...). */
function readDirectOperation(name: string, args: Node[]): JsOperation {
  const table = readName(args[0]);
  const t = table ? { table } : {};
  const on = (rule: string, what?: string): JsOperationHit => ({ rule, ...t, detail: what && table ? `${table}.${what}` : (table ?? what ?? '') });
  const options = args.filter((a) => a.type === 'object');
  const hasOption = (key: string, value?: string): boolean => options.some((o) => readProperty(o, key) !== undefined && (value === undefined || readProperty(o, key) === value));
  switch (name) {
    case 'dropTable':
    case 'dropTableIfExists':
      return { hits: [{ rule: 'drop-table', ...t, detail: table ?? '' }] };
    case 'dropAllTables':
      return { hits: [{ rule: 'drop-table', detail: 'every table' }] };
    case 'removeColumn':
    case 'dropColumn':
    case 'dropColumns': {
      const columns = args.slice(1).flatMap((a) => readStrings(a).concat(a.type === 'new_expression' ? readNewName(a) : []));
      if (columns.length === 0) return { hits: [on('drop-column')] };
      return { hits: columns.map((c) => ({ ...on('drop-column', c.toLowerCase()), ...(table ? { object: `column:${table}.${c.toLowerCase()}` } : {}) })) };
    }
    case 'renameColumn':
      return { hits: [on('rename-column', readName(args[1]))] };
    case 'renameTable':
      return { hits: [{ rule: 'rename-table', ...t, detail: `${table ?? '?'} -> ${readName(args[1]) ?? '?'}` }] };
    case 'changeColumn':
    case 'alterColumn': {
      const column = readName(args[1]) ?? (args[1]?.type === 'new_expression' ? readNewName(args[1])[0] : undefined);
      const spec = args[2];
      const hits: JsOperationHit[] = [];
      const specType = spec?.type === 'object' ? readProperty(spec, 'type') : undefined;
      const typeText = specType ?? (spec?.type === 'object' ? undefined : spec?.text);
      if (name === 'changeColumn' || specType !== undefined || spec?.type === 'new_expression') hits.push({ ...on('alter-column-type', column), ...(typeText ? { typeText } : {}) });
      if (spec && (readProperty(spec, 'allowNull') === 'false' || readProperty(spec, 'notNull') === 'true')) hits.push(on('set-not-null', column));
      return { hits };
    }
    case 'addColumn':
    case 'addColumns':
      return readAddColumns(name, args, table);
    case 'addIndex':
    case 'createIndex': {
      if (hasOption('concurrently', 'true')) return { hits: [] };
      const index = readIndexName(args) ?? readDefaultIndexName(table, args[1]);
      return { hits: [on('index-not-concurrent', index)], ...(index ? { adds: [`index:${index}`] } : {}) };
    }
    case 'removeIndex':
    case 'dropIndex': {
      if (hasOption('concurrently', 'true')) return { hits: [] };
      const index = readIndexName(args) ?? (args.length === 2 ? (readName(args[1]) ?? readDefaultIndexName(table, args[1])) : readDefaultIndexName(table, args[1]));
      return { hits: [{ ...on('drop-index-not-concurrent', index), ...(index ? { object: `index:${index}` } : {}) }] };
    }
    case 'createForeignKey':
    case 'createForeignKeys':
    case 'addForeignKey':
      return { hits: [on('fk-not-valid')] };
    case 'addConstraint': {
      const text = args.slice(1).map((a) => a.text).join(' ');
      if (/\bnotValid\s*:\s*true|NOT\s+VALID/i.test(text)) return { hits: [] };
      if (/foreign\s*key|foreignKeys|references/i.test(text)) return { hits: [on('fk-not-valid')] };
      if (/\bcheck\b/i.test(text)) return { hits: [on('check-not-valid')] };
      if (/\bunique\b|primary\s*key|primaryKey/i.test(text)) return { hits: [on('unique-without-index')] };
      return { hits: [] };
    }
    case 'createTable':
      return table ? { hits: [], creates: table } : { hits: [] };
    case 'truncate':
    case 'clearTable':
      return table ? { hits: [{ rule: 'truncate', ...t, detail: table }] } : { hits: [] };
    case 'bulkDelete': {
      const where = args[1];
      const everything = !where || where.type === 'null' || where.type === 'undefined' || (where.type === 'object' && where.namedChildren.length === 0);
      return { hits: everything ? [{ rule: 'delete-without-where', ...t, detail: table ?? '' }] : [] };
    }
    default:
      return { hits: [] };
  }
}

/** Sequelize `addColumn(t, c, {allowNull: false})`, db-migrate `{notNull: true}`, pgm `addColumns(t, {c: {notNull: true}})`, TypeORM `new TableColumn({...})`. */
function readAddColumns(name: string, args: Node[], table: string | undefined): JsOperation {
  const specs: [string | undefined, Node][] = [];
  const second = args[1];
  if (second?.type === 'object' && name === 'addColumns') {
    for (const pair of second.namedChildren) {
      const value = pair?.childForFieldName('value');
      if (pair?.type === 'pair' && value) specs.push([readPropertyName(pair), value]);
    }
  } else if (second?.type === 'object' && args[2] === undefined) {
    for (const pair of second.namedChildren) {
      const value = pair?.childForFieldName('value');
      if (pair?.type === 'pair' && value) specs.push([readPropertyName(pair), value]);
    }
  } else if (second?.type === 'new_expression') specs.push([readNewName(second)[0], second]);
  else if (args[2]) specs.push([readName(second), args[2]]);
  const hits: JsOperationHit[] = [];
  const adds: string[] = [];
  for (const [column, spec] of specs) {
    const c = column?.toLowerCase();
    if (c && table) adds.push(`column:${table}.${c}`);
    const object = spec.type === 'new_expression' ? (readArguments(spec)[0] ?? spec) : spec;
    if (object.type !== 'object') continue;
    const typeorm = spec.type === 'new_expression';
    const notNull = typeorm
      ? readProperty(object, 'isNullable') !== 'true' && readProperty(object, 'isPrimary') !== 'true' && readProperty(object, 'isGenerated') !== 'true'
      : readProperty(object, 'allowNull') === 'false' || readProperty(object, 'notNull') === 'true' || readProperty(object, 'nullable') === 'false';
    const hasDefault = ['defaultValue', 'default', 'defaultTo', 'autoIncrement', 'generated', 'primaryKey'].some((k) => readProperty(object, k) !== undefined);
    if (notNull && !hasDefault) hits.push({ rule: 'add-not-null-without-default', ...(table ? { table } : {}), detail: `${table ?? '?'}.${c ?? '?'}` });
  }
  return { hits, adds };
}

/** A table or column name: a string, or TypeORM's `new Table({ name })` / a `{ schema, tableName }` object. */
function readName(node: Node | undefined): string | undefined {
  if (!node) return undefined;
  const s = readJsString(stripParentheses(node));
  if (s !== undefined) return s.toLowerCase();
  if (node.type === 'object') return (readProperty(node, 'tableName') ?? readProperty(node, 'name'))?.replace(/^['"`]|['"`]$/g, '').toLowerCase();
  if (node.type === 'new_expression') return readNewName(node)[0];
  return undefined;
}

function readNewName(node: Node): string[] {
  const arg = readArguments(node)[0];
  const name = arg?.type === 'object' ? readProperty(arg, 'name') : undefined;
  return name ? [name.replace(/^['"`]|['"`]$/g, '').toLowerCase()] : [];
}

function readIndexName(args: Node[]): string | undefined {
  for (const a of args.slice(1)) {
    if (a.type === 'object') {
      const name = readProperty(a, 'name') ?? readProperty(a, 'indexName');
      if (name) return name.replace(/^['"`]|['"`]$/g, '').toLowerCase();
    }
    if (a.type === 'new_expression') return readNewName(a)[0];
  }
  const second = readJsString(args[1]);
  return args.length >= 3 && second !== undefined && readJsString(args[2]) === undefined ? second.toLowerCase() : undefined;
}

/** Sequelize's name for an index it was given no name for: `table_a_b`. */
function readDefaultIndexName(table: string | undefined, fields: Node | undefined): string | undefined {
  const names = fields?.type === 'array' ? readStrings(fields) : [];
  return table && names.length > 0 ? `${table}_${names.join('_')}`.toLowerCase() : undefined;
}

/** Strings in an argument: `'c'` or `['a', 'b']`. */
function readStrings(node: Node): string[] {
  const s = readJsString(node);
  if (s !== undefined) return [s];
  if (node.type === 'array') return node.namedChildren.flatMap((c) => (c ? readStrings(c) : []));
  return [];
}

/** The source text of a property's value in an object literal (`false`, `'x'`), or undefined. */
export function readProperty(object: Node, key: string): string | undefined {
  for (const pair of object.namedChildren) {
    if (pair?.type === 'pair' && readPropertyName(pair) === key) return pair.childForFieldName('value')?.text;
    if (pair?.type === 'shorthand_property_identifier' && pair.text === key) return key;
  }
  return undefined;
}

function readPropertyName(pair: Node): string | undefined {
  return pair.childForFieldName('key')?.text.replace(/^['"]|['"]$/g, '');
}
