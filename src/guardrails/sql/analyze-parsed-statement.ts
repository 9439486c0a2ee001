// Rules read from the Postgres parse tree (libpg-query's JSON): the parser has already dealt with
// comments, literals, quoting and case, so each rule is a question about node types and fields.

/** A rule hit inside one statement; `tables` are the qualified names a DROP TABLE removes. */
export interface SqlHit {
  rule: string;
  detail?: string;
  tables?: string[][];
  /** The existing table a lock or rewrite rule is about: no finding when this text created it. */
  table?: string[];
  /** Where the statement that broke the rule starts, when not where the scanned statement does. */
  at?: number;
}

type AstNode = Record<string, unknown>;

const SERIAL_TYPES = new Set(['serial', 'serial2', 'serial4', 'serial8', 'smallserial', 'bigserial']);
/** Defaults evaluated per row, so adding a column with one rewrites the table. */
export const VOLATILE_FUNCTIONS = new Set(['clock_timestamp', 'random', 'gen_random_uuid', 'uuid_generate_v1', 'uuid_generate_v1mc', 'uuid_generate_v4', 'timeofday', 'nextval', 'uuidv7', 'uuidv4']);
/** Statements whose nested DELETE/UPDATE run now (data-modifying CTEs); routine and rule bodies do not. */
const RUNS_NESTED = new Set(['SelectStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt', 'CopyStmt']);

export function analyzeParsedStatement(stmt: AstNode): SqlHit[] {
  const [type, body] = unwrap(stmt);
  if (!type || !body) return [];
  const hits: SqlHit[] = [];
  switch (type) {
    case 'DropdbStmt':
      hits.push({ rule: 'drop-database', detail: str(body.dbname) });
      break;
    case 'DropStmt':
      hits.push(...findDropHits(body));
      break;
    case 'TruncateStmt':
      hits.push({ rule: 'truncate', detail: list(body.relations).map(rangeVarName).join(', ') });
      break;
    case 'AlterTableStmt':
      if (body.objtype === 'OBJECT_TABLE') hits.push(...findAlterTableHits(body));
      break;
    case 'RenameStmt':
      if (body.renameType === 'OBJECT_COLUMN' && body.relationType === 'OBJECT_TABLE') {
        hits.push({ rule: 'rename-column', detail: `${str(body.subname)} -> ${str(body.newname)}` });
      } else if (body.renameType === 'OBJECT_TABLE') {
        hits.push({ rule: 'rename-table', detail: `${rangeVarName(body.relation)} -> ${str(body.newname)}` });
      }
      break;
    case 'IndexStmt':
      if (body.concurrent !== true) hits.push({ rule: 'index-not-concurrent', detail: str(body.idxname) || undefined, table: rangeVarParts(body.relation) });
      break;
    case 'DeleteStmt':
    case 'UpdateStmt':
      if (isAlwaysTrue(body.whereClause)) hits.push({ rule: type === 'DeleteStmt' ? 'delete-without-where' : 'update-without-where', detail: `${rangeVarName(body.relation)} (WHERE is always true)` });
      break;
  }
  if (type === 'DropStmt' && body.behavior === 'DROP_CASCADE') hits.push({ rule: 'drop-cascade', detail: String(body.removeType ?? '').replace(/^OBJECT_/, '') });
  if (RUNS_NESTED.has(type)) collectUnboundedWrites(body, type, hits);
  return hits;
}

function findDropHits(body: AstNode): SqlHit[] {
  const objects = list(body.objects);
  switch (body.removeType) {
    case 'OBJECT_TABLE': {
      const tables = objects.map((o) => list(asNode(o).List && asNode(asNode(o).List).items).map((s) => str(asNode(asNode(s).String).sval)));
      return [{ rule: 'drop-table', tables, detail: tables.map((t) => t.join('.')).join(', ') }];
    }
    case 'OBJECT_SCHEMA':
      return [{ rule: 'drop-schema', detail: objects.map((o) => str(asNode(asNode(o).String).sval)).join(', ') }];
    case 'OBJECT_INDEX':
      return body.concurrent === true ? [] : [{ rule: 'drop-index-not-concurrent' }];
    default:
      return [];
  }
}

function findAlterTableHits(body: AstNode): SqlHit[] {
  const table = rangeVarName(body.relation);
  const parts = rangeVarParts(body.relation);
  const hits: SqlHit[] = [];
  const at = (rule: string, detail: string): SqlHit => ({ rule, detail, table: parts });
  for (const item of list(body.cmds)) {
    const cmd = asNode(asNode(item).AlterTableCmd);
    switch (cmd.subtype) {
      case 'AT_DropColumn':
        hits.push(at('drop-column', `${table}.${str(cmd.name)}`));
        if (cmd.behavior === 'DROP_CASCADE') hits.push({ rule: 'drop-cascade', detail: `COLUMN ${table}.${str(cmd.name)}` });
        break;
      case 'AT_AlterColumnType':
        hits.push(at('alter-column-type', `${table}.${str(cmd.name)}`));
        break;
      case 'AT_SetNotNull':
        hits.push(at('set-not-null', `${table}.${str(cmd.name)}`));
        break;
      case 'AT_AddColumn': {
        const col = asNode(asNode(cmd.def).ColumnDef);
        if (isNotNullWithoutDefault(col)) hits.push(at('add-not-null-without-default', `${table}.${str(col.colname)}`));
        if (rewritesOnAdd(col)) hits.push(at('add-column-volatile-default', `${table}.${str(col.colname)}`));
        break;
      }
      case 'AT_AddConstraint': {
        const con = asNode(asNode(cmd.def).Constraint);
        const name = str(con.conname) || table;
        if (con.contype === 'CONSTR_FOREIGN' && con.skip_validation !== true) hits.push(at('fk-not-valid', name));
        if (con.contype === 'CONSTR_CHECK' && con.skip_validation !== true) hits.push(at('check-not-valid', name));
        if ((con.contype === 'CONSTR_UNIQUE' || con.contype === 'CONSTR_PRIMARY' || con.contype === 'CONSTR_EXCLUSION') && !con.indexname) {
          hits.push(at('unique-without-index', name));
        }
        break;
      }
    }
  }
  return hits;
}

/** Adding this column rewrites the whole table: a volatile default, serial, identity or a stored generated value. */
function rewritesOnAdd(col: AstNode): boolean {
  const names = list(asNode(col.typeName).names).map((n) => str(asNode(asNode(n).String).sval));
  if (SERIAL_TYPES.has(names[names.length - 1] ?? '')) return true;
  return list(col.constraints).some((c) => {
    const con = asNode(asNode(c).Constraint);
    if (con.contype === 'CONSTR_IDENTITY' || con.contype === 'CONSTR_GENERATED') return true;
    if (con.contype !== 'CONSTR_DEFAULT') return false;
    const fn = asNode(asNode(con.raw_expr).FuncCall);
    const fnName = list(fn.funcname).map((n) => str(asNode(asNode(n).String).sval)).pop() ?? '';
    return VOLATILE_FUNCTIONS.has(fnName.toLowerCase());
  });
}

/** `WHERE true`, `WHERE 1 = 1`, `WHERE 'a' = 'a'`: a WHERE that selects every row. */
function isAlwaysTrue(where: unknown): boolean {
  const w = asNode(where);
  if (w.A_Const) return asNode(asNode(asNode(w.A_Const).boolval)).boolval === true;
  const e = asNode(w.A_Expr);
  if (e.kind !== 'AEXPR_OP' || list(e.name).map((n) => str(asNode(asNode(n).String).sval)).join() !== '=') return false;
  const l = asNode(asNode(e.lexpr).A_Const);
  const r = asNode(asNode(e.rexpr).A_Const);
  return Object.keys(l).length > 0 && JSON.stringify({ ...l, location: 0 }) === JSON.stringify({ ...r, location: 0 });
}

function isNotNullWithoutDefault(col: AstNode): boolean {
  const kinds = list(col.constraints).map((c) => asNode(asNode(c).Constraint).contype);
  const notNull = col.is_not_null === true || kinds.includes('CONSTR_NOTNULL');
  if (!notNull) return false;
  if (kinds.some((k) => k === 'CONSTR_DEFAULT' || k === 'CONSTR_IDENTITY' || k === 'CONSTR_GENERATED')) return false;
  if (col.raw_default || col.identity || col.generated) return false;
  const names = list(asNode(col.typeName).names).map((n) => str(asNode(asNode(n).String).sval));
  return !SERIAL_TYPES.has(names[names.length - 1] ?? '');
}

/** DELETE/UPDATE without WHERE anywhere in a statement that runs them (e.g. data-modifying CTEs). */
function collectUnboundedWrites(node: unknown, type: string, hits: SqlHit[]): void {
  if (type === 'DeleteStmt' && !asNode(node).whereClause) {
    hits.push({ rule: 'delete-without-where', detail: rangeVarName(asNode(node).relation) });
  } else if (type === 'UpdateStmt' && !asNode(node).whereClause) {
    hits.push({ rule: 'update-without-where', detail: rangeVarName(asNode(node).relation) });
  }
  visitChildren(node, (childType, child) => collectUnboundedWrites(child, childType, hits));
}

function visitChildren(node: unknown, visit: (type: string, body: unknown) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) visitWrapped(item, visit);
  } else if (node && typeof node === 'object') {
    for (const value of Object.values(node)) visitWrapped(value, visit);
  }
}

function visitWrapped(value: unknown, visit: (type: string, body: unknown) => void): void {
  if (Array.isArray(value)) {
    visitChildren(value, visit);
    return;
  }
  if (!value || typeof value !== 'object') return;
  const keys = Object.keys(value);
  const key = keys[0];
  if (keys.length === 1 && key && /^[A-Z]/.test(key)) visit(key, (value as AstNode)[key]);
  else visitChildren(value, visit);
}

function unwrap(node: AstNode): [string | undefined, AstNode | undefined] {
  const key = Object.keys(node)[0];
  return key ? [key, asNode(node[key])] : [undefined, undefined];
}

function rangeVarParts(value: unknown): string[] {
  const rv = asNode(value);
  const inner = rv.RangeVar ? asNode(rv.RangeVar) : rv;
  return [inner.schemaname, inner.relname].filter((p): p is string => typeof p === 'string');
}

function rangeVarName(value: unknown): string {
  const rv = asNode(value);
  const inner = rv.RangeVar ? asNode(rv.RangeVar) : rv;
  return [inner.schemaname, inner.relname].filter((p) => typeof p === 'string').join('.');
}

function asNode(value: unknown): AstNode {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as AstNode) : {};
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
