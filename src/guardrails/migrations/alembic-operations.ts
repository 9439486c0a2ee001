import type { Node } from 'web-tree-sitter';
import { readCallArguments, readCalledName, readStringValue } from '../../parsing/python-syntax.js';

// Alembic's op.* and batch_op.* calls mapped to the SQL rules they would break, with the table
// (and column or index) each acts on, so context can clear them: a table created earlier in the
// same function, or a downgrade undoing what its own upgrade added.

export interface OperationHit {
  rule: string;
  table?: string;
  /** The column or index the call removes, to match against what upgrade() added. */
  object?: string;
  detail?: string;
}

/** What an upgrade() call adds, for its downgrade's drops: `table.column` or `index:name`. */
export function readAddition(call: Node, batchTable: string | undefined): string | undefined {
  const called = readCalledName(call);
  if (!called) return undefined;
  const { positional, keywords } = readCallArguments(call);
  const arg = (i: number, name: string): string | undefined => readStringValue(keywords.get(name) ?? positional[i])?.toLowerCase();
  switch (called.name) {
    case 'add_column': {
      const table = batchTable ?? arg(0, 'table_name');
      const column = readColumnName(batchTable ? positional[0] : positional[1]);
      return table && column ? `${table}.${column}` : undefined;
    }
    case 'create_index':
      return arg(0, 'index_name') ? `index:${arg(0, 'index_name')}` : undefined;
    case 'create_foreign_key':
    case 'create_unique_constraint':
    case 'create_check_constraint':
    case 'create_primary_key':
      return arg(0, 'constraint_name') ? `constraint:${arg(0, 'constraint_name')}` : undefined;
    default:
      return undefined;
  }
}

/** The rules one op call breaks, before context is applied. */
export function findOperationHits(call: Node, batchTable: string | undefined): OperationHit[] {
  const called = readCalledName(call);
  if (!called) return [];
  const { positional, keywords } = readCallArguments(call);
  const str = (node: Node | undefined): string | undefined => readStringValue(node)?.toLowerCase();
  // In a batch, the table is the batch's and every other argument moves one place to the left.
  const shift = batchTable ? 1 : 0;
  const table = batchTable ?? str(keywords.get('table_name') ?? positional[0]);
  const isTrue = (name: string): boolean => keywords.get(name)?.text === 'True';
  switch (called.name) {
    case 'drop_table': {
      const dropped = str(keywords.get('table_name') ?? positional[0]);
      return [{ rule: 'drop-table', table: dropped, ...(dropped ? { detail: dropped } : {}) }];
    }
    case 'drop_column': {
      const column = str(keywords.get('column_name') ?? positional[1 - shift]);
      return [{ rule: 'drop-column', ...(table ? { table } : {}), ...(table && column ? { object: `${table}.${column}`, detail: `${table}.${column}` } : {}) }];
    }
    case 'rename_table': {
      const from = str(keywords.get('old_table_name') ?? positional[0]);
      const to = str(keywords.get('new_table_name') ?? positional[1]);
      return [{ rule: 'rename-table', table: from, ...(from && to ? { detail: `${from} -> ${to}` } : {}) }];
    }
    case 'alter_column': {
      const column = str(keywords.get('column_name') ?? positional[1 - shift]);
      const detail = table && column ? `${table}.${column}` : undefined;
      const hits: OperationHit[] = [];
      if (keywords.has('new_column_name')) hits.push({ rule: 'rename-column' });
      if (keywords.has('type_')) hits.push({ rule: 'alter-column-type' });
      if (keywords.get('nullable')?.text === 'False') hits.push({ rule: 'set-not-null' });
      return hits.map((h) => ({ ...h, ...(table ? { table } : {}), ...(detail ? { detail } : {}) }));
    }
    case 'add_column': {
      const column = batchTable ? positional[0] : positional[1];
      const detail = `${table ?? '?'}.${readColumnName(column) ?? '?'}`;
      const hits: OperationHit[] = [];
      if (column && isNotNullWithoutDefault(column)) hits.push({ rule: 'add-not-null-without-default', detail });
      if (column && hasVolatileDefault(column)) hits.push({ rule: 'add-column-volatile-default', detail });
      return hits.map((h) => ({ ...h, ...(table ? { table } : {}) }));
    }
    case 'create_index': {
      if (isTrue('postgresql_concurrently')) return [];
      const on = batchTable ?? str(keywords.get('table_name') ?? positional[1]);
      return [{ rule: 'index-not-concurrent', ...(on ? { table: on } : {}), detail: str(keywords.get('index_name') ?? positional[0]) ?? '' }];
    }
    case 'drop_index': {
      if (isTrue('postgresql_concurrently')) return [];
      const on = batchTable ?? str(keywords.get('table_name') ?? positional[1]);
      const name = str(keywords.get('index_name') ?? positional[0]);
      return [{ rule: 'drop-index-not-concurrent', ...(on ? { table: on } : {}), ...(name ? { object: `index:${name}`, detail: name } : {}) }];
    }
    case 'create_foreign_key':
    case 'create_check_constraint':
    case 'create_unique_constraint':
    case 'create_primary_key': {
      if (called.name !== 'create_unique_constraint' && called.name !== 'create_primary_key' && isTrue('postgresql_not_valid')) return [];
      const rule = called.name === 'create_foreign_key' ? 'fk-not-valid' : called.name === 'create_check_constraint' ? 'check-not-valid' : 'unique-without-index';
      const on = batchTable ?? str(keywords.get(called.name === 'create_foreign_key' ? 'source_table' : 'table_name') ?? positional[1]);
      return [{ rule, ...(on ? { table: on } : {}), detail: str(keywords.get('constraint_name') ?? positional[0]) ?? on ?? '' }];
    }
    default:
      return [];
  }
}

/** `sa.Column("name", ...)` gives name. */
function readColumnName(column: Node | undefined): string | undefined {
  if (column?.type !== 'call') return undefined;
  return readStringValue(readCallArguments(column).positional[0])?.toLowerCase();
}

/** `Column(..., nullable=False)` (or primary_key=True) without server_default. */
function isNotNullWithoutDefault(column: Node): boolean {
  if (column.type !== 'call' || !/^(sa\.|sqlalchemy\.)?Column$/.test(column.childForFieldName('function')?.text ?? '')) return false;
  const { keywords } = readCallArguments(column);
  if (keywords.has('server_default') || keywords.has('server_onupdate') || keywords.has('autoincrement') || keywords.has('computed')) return false;
  return keywords.get('nullable')?.text === 'False';
}

/** `server_default=sa.text("gen_random_uuid()")` and the like: a default evaluated per row rewrites the table. */
function hasVolatileDefault(column: Node): boolean {
  if (column.type !== 'call') return false;
  const value = readCallArguments(column).keywords.get('server_default')?.text ?? '';
  return /\b(gen_random_uuid|uuid_generate_v[14]|uuid_generate_v1mc|clock_timestamp|random|timeofday)\s*\(/i.test(value);
}
