// Rules read from the Postgres parse tree (libpg-query's JSON): the parser has already dealt with
// comments, literals, quoting and case, so each rule is a question about node types and fields.

/** A rule hit inside one statement; `tables` are the qualified names a DROP TABLE removes. */
export interface SqlHit {
  rule: string;
  detail?: string;
  tables?: string[][];
  /** Where the statement that broke the rule starts, when not where the scanned statement does. */
  at?: number;
}

type AstNode = Record<string, unknown>;

const SERIAL_TYPES = new Set(['serial', 'serial2', 'serial4', 'serial8', 'smallserial', 'bigserial']);
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
      if (body.concurrent !== true) hits.push({ rule: 'index-not-concurrent', detail: str(body.idxname) || undefined });
      break;
  }
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
  const hits: SqlHit[] = [];
  for (const item of list(body.cmds)) {
    const cmd = asNode(asNode(item).AlterTableCmd);
    switch (cmd.subtype) {
      case 'AT_DropColumn':
        hits.push({ rule: 'drop-column', detail: `${table}.${str(cmd.name)}` });
        break;
      case 'AT_AlterColumnType':
        hits.push({ rule: 'alter-column-type', detail: `${table}.${str(cmd.name)}` });
        break;
      case 'AT_AddColumn': {
        const col = asNode(asNode(cmd.def).ColumnDef);
        if (isNotNullWithoutDefault(col)) hits.push({ rule: 'add-not-null-without-default', detail: `${table}.${str(col.colname)}` });
        break;
      }
      case 'AT_AddConstraint': {
        const con = asNode(asNode(cmd.def).Constraint);
        if (con.contype === 'CONSTR_FOREIGN' && con.skip_validation !== true) {
          hits.push({ rule: 'fk-not-valid', detail: str(con.conname) || table });
        }
        break;
      }
    }
  }
  return hits;
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
