import type { Node } from 'web-tree-sitter';
import type { Finding } from '../finding.js';
import { LineIndex } from '../line-index.js';
import { findException, shortenStatement } from '../safety-marker.js';
import { scanSql } from '../sql/scan-sql.js';
import type { CodeScanInput } from '../code/code-matchers.js';
import { readCallArguments, readCalledName, readStringValue } from '../../parsing/python-syntax.js';
import type { PythonFile } from '../code/scan-python.js';
import { type EmbeddedSql, readEmbeddedSql, resolveSqlNode } from './read-embedded-sql.js';
import { findOperationHits, readAddition } from './alembic-operations.js';
import { collectDescendants } from '../../parsing/syntax-tree.js';

export type DowngradeState = 'missing' | 'empty' | 'raises' | 'present';

export interface AlembicAnalysis {
  upgrade: boolean;
  downgrade: DowngradeState;
  description: boolean;
  revision?: string;
  /** Structure findings: missing-upgrade, missing-downgrade, empty-downgrade, irreversible-downgrade, missing-description. */
  structure: Finding[];
  /** op.* calls and SQL strings that break SQL rules. */
  operations: Finding[];
}

/**
 * Whether a parsed Python file is an Alembic revision: it sets `revision`/`down_revision`, or it
 * imports alembic and defines upgrade() or downgrade(). (alembic/env.py imports alembic but is neither.)
 */
export function isAlembicRevision(py: PythonFile): boolean {
  let importsAlembic = false;
  let definesStep = false;
  for (const stmt of py.tree.rootNode.namedChildren) {
    if (!stmt) continue;
    if (stmt.type === 'import_from_statement' && /^from\s+alembic\b/.test(stmt.text)) importsAlembic = true;
    if (stmt.type === 'import_statement' && /^import\s+alembic\b/.test(stmt.text)) importsAlembic = true;
    const assigned = readAssignedName(stmt);
    if (assigned === 'revision' || assigned === 'down_revision') return true;
    const fn = readFunctionName(stmt);
    if (fn === 'upgrade' || fn === 'downgrade') definesStep = true;
  }
  return importsAlembic && definesStep;
}

export function analyzeAlembic(input: CodeScanInput, py: PythonFile): AlembicAnalysis {
  const isRule = (word: string): boolean => input.rules.rules.has(word);
  const root = py.tree.rootNode;
  const top = root.namedChildren.filter((n): n is Node => n !== null && n.type !== 'comment');
  const functions = new Map<string, Node>();
  let revision: string | undefined;
  let merge = false;
  for (const stmt of top) {
    const fn = readFunctionName(stmt);
    if (fn) functions.set(fn, unwrapDefinition(stmt) ?? stmt);
    const right = stmt.namedChildren[0]?.childForFieldName('right') ?? undefined;
    if (readAssignedName(stmt) === 'revision') revision = readStringValue(right);
    // A merge revision (down_revision a tuple of heads) joins branches and has nothing to undo.
    if (readAssignedName(stmt) === 'down_revision' && (right?.type === 'tuple' || right?.type === 'list') && right.namedChildren.length >= 2) merge = true;
  }
  const first = top[0];
  const docstring = first?.type === 'expression_statement' ? readStringValue(first.namedChildren[0] ?? undefined) : undefined;
  const description = docstring !== undefined && hasDescription(docstring);
  const upgrade = functions.get('upgrade');
  const downgradeFn = functions.get('downgrade');
  const classified: DowngradeState = downgradeFn ? classifyBody(downgradeFn) : 'missing';
  const downgrade: DowngradeState = merge && classified === 'empty' && upgrade && classifyBody(upgrade) === 'empty' ? 'present' : classified;

  const structure: Finding[] = [];
  const add = (rule: string, node: Node | undefined): void => {
    const line = node ? node.startPosition.row + 1 : 1;
    const code = node ? node.text.split('\n').slice(0, 3).join('\n') : '';
    const exception = findException(py.markers, { first: line, last: line }, rule, isRule);
    const f = input.rules.makeFinding(rule, {
      file: input.file,
      line,
      statement: code ? shortenStatement(code) : undefined,
      suppressed: exception !== undefined,
      exception: exception?.reason,
    }, input.options);
    if (f) structure.push(f);
  };
  if (!upgrade) add('missing-upgrade', undefined);
  if (downgrade === 'missing') add('missing-downgrade', undefined);
  if (downgrade === 'empty') add('empty-downgrade', downgradeFn);
  if (downgrade === 'raises') add('irreversible-downgrade', downgradeFn);
  if (!description) add('missing-description', first?.type === 'expression_statement' ? first : undefined);

  return {
    upgrade: upgrade !== undefined,
    downgrade,
    description,
    ...(revision ? { revision } : {}),
    structure,
    operations: operationFindings(input, py),
  };
}

/** A table made by op.create_table or CREATE TABLE in a SQL string, and where. */
interface Creation {
  fn: string;
  at: number;
  table: string[];
}

/** Lock and rewrite rules: no finding on a table created before in the same function (or by upgrade(), in downgrade()). */
const ON_EXISTING_TABLES = new Set([
  'drop-table', 'index-not-concurrent', 'drop-index-not-concurrent', 'fk-not-valid', 'check-not-valid', 'unique-without-index',
  'add-not-null-without-default', 'add-column-volatile-default', 'alter-column-type', 'set-not-null',
]);

/**
 * op.* / batch_op.* calls mapped to the SQL rules, and SQL in execute()/text() (through names and
 * constants too). Context clears a finding: a table created before in the same function, and in
 * downgrade() whatever upgrade() created or added (a downgrade undoing its own upgrade).
 */
function operationFindings(input: CodeScanInput, py: PythonFile): Finding[] {
  const isRule = (word: string): boolean => input.rules.rules.has(word);
  const creations: Creation[] = [];
  const additions = new Set<string>();
  const sqlCalls: { call: Node; fn: string; sql: EmbeddedSql; indirect: boolean }[] = [];
  const unresolved: { call: Node; fn: string; what: string }[] = [];
  const expressions: { call: Node; fn: string; rule: string }[] = [];
  const consumed = new Set<number>();
  const executes = py.calls.filter((call) => readCalledName(call)?.name === 'execute' && readCalledName(call)?.object);
  for (const call of executes) {
    const arg = readCallArguments(call).positional[0];
    const resolved = resolveSqlNode(arg) ?? readExpression(arg);
    if (resolved && 'unresolved' in resolved) unresolved.push({ call, fn: enclosingFunction(call), what: resolved.unresolved });
    else if (resolved && 'rule' in resolved) expressions.push({ call, fn: enclosingFunction(call), rule: resolved.rule });
    else if (resolved) {
      consumed.add(resolved.node.startIndex);
      const sql = readEmbeddedSql(resolved.node, input.text);
      if (sql) sqlCalls.push({ call, fn: enclosingFunction(call), sql, indirect: resolved.indirect });
    }
  }
  for (const call of py.calls) {
    const called = readCalledName(call);
    if (!called) continue;
    const fn = enclosingFunction(call);
    if (called.name === 'create_table' && called.object?.text === 'op') {
      const name = readStringValue(readCallArguments(call).positional[0]);
      if (name) creations.push({ fn, at: call.startIndex, table: [name.toLowerCase()] });
    }
    if (fn === 'upgrade' && called.object && isOpReceiver(called.object)) {
      const added = readAddition(call, readBatchTable(called.object));
      if (added) additions.add(added);
    }
    // text("...") outside an execute() (built, then run some other way) is read where it stands.
    if (called.name === 'text' && !isExecuteArgument(call)) {
      const literal = readCallArguments(call).positional[0];
      const sql = literal && !consumed.has(literal.startIndex) ? readEmbeddedSql(literal, input.text) : undefined;
      if (sql) sqlCalls.push({ call, fn, sql, indirect: false });
    }
  }
  const lines = new LineIndex(input.text);
  const scanString = (s: (typeof sqlCalls)[number], createdBefore: string[][]) =>
    scanSql({
      text: s.sql.text,
      file: input.file,
      rules: input.rules,
      options: input.options,
      createdBefore,
      checkLockTimeout: false,
      // text() outside execute() is often a fragment (a server default, a WHERE clause), not a statement.
      reportUnreadable: executes.includes(s.call),
      // SQL reached through a name is reported at the call that runs it.
      lineAt: s.indirect ? () => s.call.startPosition.row + 1 : (offset) => lines.lineOf(s.sql.sourceOffset(offset)),
    });
  for (const s of sqlCalls) {
    for (const table of scanString(s, []).created) creations.push({ fn: s.fn, at: s.call.startIndex, table });
  }
  const createdBefore = (fn: string, at: number): string[][] =>
    creations.filter((c) => (c.fn === fn && c.at < at) || (fn === 'downgrade' && c.fn === 'upgrade')).map((c) => c.table);

  const findings: Finding[] = [];
  const add = (rule: string, call: Node, fn: string, detail?: string): void => {
    const line = call.startPosition.row + 1;
    const exception = findException(py.markers, { first: line, last: call.endPosition.row + 1 }, rule, isRule);
    const at = { file: input.file, line, statement: shortenStatement(call.text), suppressed: exception !== undefined, exception: exception?.reason };
    const f = input.rules.makeFinding(rule, { ...at, ...(detail ? { detail } : {}) }, input.options);
    if (f) findings.push(...withDirection([f], fn));
  };
  for (const call of py.calls) {
    const called = readCalledName(call);
    if (!called?.object || !isOpReceiver(called.object)) continue;
    const fn = enclosingFunction(call);
    const before = createdBefore(fn, call.startIndex);
    for (const hit of findOperationHits(call, readBatchTable(called.object))) {
      if (hit.table && ON_EXISTING_TABLES.has(hit.rule) && before.some((t) => t[t.length - 1] === hit.table)) continue;
      if (fn === 'downgrade' && hit.object && additions.has(hit.object)) continue;
      add(hit.rule, call, fn, hit.detail);
    }
  }
  for (const u of unresolved) add('unresolved-sql', u.call, u.fn, `execute(${u.what}): not a string this file defines`);
  for (const e of expressions) add(e.rule, e.call, e.fn, 'SQLAlchemy expression without .where()');
  for (const s of sqlCalls) {
    const result = scanString(s, createdBefore(s.fn, s.call.startIndex));
    // A Python comment cannot sit inside the string, so a marker on the call's lines speaks for all of it.
    const span = { first: s.call.startPosition.row + 1, last: s.call.endPosition.row + 1 };
    for (const f of withDirection(result.findings, s.fn)) {
      const exception = f.suppressed ? undefined : findException(py.markers, span, f.rule, isRule);
      findings.push(exception ? { ...f, suppressed: true, exception: exception.reason } : f);
    }
  }
  return findings;
}

/** `op`, or the alias of a `with op.batch_alter_table(...) as batch_op:` around the call. */
function isOpReceiver(receiver: Node): boolean {
  return receiver.text === 'op' || readBatchTable(receiver) !== undefined;
}

/** The table of the batch a receiver is the alias of, or undefined when it is none. */
function readBatchTable(receiver: Node): string | undefined {
  if (receiver.type !== 'identifier' || receiver.text === 'op') return undefined;
  for (let n: Node | null = receiver.parent; n; n = n.parent) {
    if (n.type !== 'with_statement') continue;
    for (const pattern of collectDescendants(n.namedChildren[0] ?? n, AS_PATTERN)) {
      const alias = pattern.childForFieldName('alias') ?? pattern.namedChildren[pattern.namedChildren.length - 1];
      const call = pattern.namedChildren[0];
      if (alias?.text.replace(/^as\s+/, '') !== receiver.text || call?.type !== 'call' || readCalledName(call)?.name !== 'batch_alter_table') continue;
      return readStringValue(readCallArguments(call).positional[0] ?? readCallArguments(call).keywords.get('table_name'))?.toLowerCase() ?? '';
    }
  }
  return undefined;
}
const AS_PATTERN = new Set(['as_pattern']);

/**
 * A SQLAlchemy expression passed to execute(): `t.update().values(...)` or `sa.delete(t)` without
 * `.where(...)` changes every row; other expressions (insert, select) are fine; any other call
 * builds SQL this file does not show.
 */
function readExpression(arg: Node | undefined): { rule: string } | { unresolved: string } | undefined {
  if (!arg || arg.type !== 'call') return undefined;
  const text = arg.text;
  const where = /\.where\s*\(|\.filter\s*\(/.test(text);
  if (/(^|\.)delete\s*\(/.test(text)) return where ? undefined : { rule: 'delete-without-where' };
  if (/(^|\.)update\s*\(/.test(text)) return where ? undefined : { rule: 'update-without-where' };
  if (/(^|\.)(insert|select|values)\s*\(/.test(text)) return undefined;
  return { unresolved: `${arg.childForFieldName('function')?.text ?? 'a call'}(...)` };
}

function isExecuteArgument(call: Node): boolean {
  const outer = call.parent?.parent;
  return call.parent?.type === 'argument_list' && outer?.type === 'call' && readCalledName(outer)?.name === 'execute';
}

function withDirection(findings: Finding[], fn: string): Finding[] {
  if (fn !== 'upgrade' && fn !== 'downgrade') return findings;
  return findings.map((f) => ({ ...f, direction: fn }));
}

/** The module-level function a node is in ('' at module level). */
function enclosingFunction(node: Node): string {
  let name = '';
  for (let n: Node | null = node.parent; n; n = n.parent) {
    if (n.type === 'function_definition') name = n.childForFieldName('name')?.text ?? '';
  }
  return name;
}

function classifyBody(fn: Node): DowngradeState {
  const body = fn.childForFieldName('body');
  const stmts = (body?.namedChildren ?? []).filter((n): n is Node => n !== null && n.type !== 'comment');
  const real = stmts.filter((s) => !(s.type === 'pass_statement' || isBareExpression(s)));
  if (real.length === 0) return 'empty';
  // Raising, or only logging that it is not supported, reverts nothing.
  if (real.every((s) => s.type === 'raise_statement' || isLoggingCall(s))) return 'raises';
  return 'present';
}

const LOGGING = /^(print|warn|(logger|log|logging|LOG|LOGGER|_logger|_log|warnings|alembic_logger|click)\.\w+)$/;

function isLoggingCall(stmt: Node): boolean {
  const call = stmt.type === 'expression_statement' ? stmt.namedChildren[0] : undefined;
  return call?.type === 'call' && LOGGING.test(call.childForFieldName('function')?.text ?? '');
}

/** A docstring or `...`: an expression statement that does nothing. */
function isBareExpression(stmt: Node): boolean {
  if (stmt.type !== 'expression_statement' || stmt.namedChildren.length !== 1) return false;
  const expr = stmt.namedChildren[0];
  return expr?.type === 'string' || expr?.type === 'concatenated_string' || expr?.type === 'ellipsis';
}

function hasDescription(docstring: string): boolean {
  return docstring
    .split('\n')
    .map((l) => l.trim())
    .some((l) => l.length > 0 && !/^(Revision ID|Revises|Create Date)\s*:/i.test(l));
}

function readFunctionName(stmt: Node): string | undefined {
  const def = unwrapDefinition(stmt);
  return def?.type === 'function_definition' ? def.childForFieldName('name')?.text : undefined;
}

function unwrapDefinition(stmt: Node): Node | undefined {
  if (stmt.type === 'function_definition') return stmt;
  if (stmt.type === 'decorated_definition') return stmt.childForFieldName('definition') ?? undefined;
  return undefined;
}

function readAssignedName(stmt: Node): string | undefined {
  if (stmt.type !== 'expression_statement') return undefined;
  const assignment = stmt.namedChildren[0];
  if (assignment?.type !== 'assignment') return undefined;
  const left = assignment.childForFieldName('left');
  return left?.type === 'identifier' ? left.text : undefined;
}
