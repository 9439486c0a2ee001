import type { Node } from 'web-tree-sitter';
import type { Finding } from '../finding.js';
import { LineIndex } from '../line-index.js';
import { isCovered, shortenStatement } from '../safety-marker.js';
import { scanSql } from '../sql/scan-sql.js';
import { type CodeScanInput, makeCallFindings } from '../code/code-matchers.js';
import { readCallArguments, readCalledName, readStringValue } from '../../parsing/python-syntax.js';
import type { PythonFile } from '../code/scan-python.js';
import { type EmbeddedSql, readEmbeddedSql } from './read-embedded-sql.js';

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
  const root = py.tree.rootNode;
  const top = root.namedChildren.filter((n): n is Node => n !== null && n.type !== 'comment');
  const functions = new Map<string, Node>();
  let revision: string | undefined;
  for (const stmt of top) {
    const fn = readFunctionName(stmt);
    if (fn) functions.set(fn, unwrapDefinition(stmt) ?? stmt);
    if (readAssignedName(stmt) === 'revision') revision = readStringValue(stmt.namedChildren[0]?.childForFieldName('right') ?? undefined);
  }
  const first = top[0];
  const docstring = first?.type === 'expression_statement' ? readStringValue(first.namedChildren[0] ?? undefined) : undefined;
  const description = docstring !== undefined && hasDescription(docstring);
  const upgrade = functions.get('upgrade');
  const downgradeFn = functions.get('downgrade');
  const downgrade: DowngradeState = downgradeFn ? classifyBody(downgradeFn) : 'missing';

  const structure: Finding[] = [];
  const add = (rule: string, node: Node | undefined): void => {
    const line = node ? node.startPosition.row + 1 : 1;
    const code = node ? node.text.split('\n').slice(0, 3).join('\n') : '';
    const f = input.rules.makeFinding(rule, {
      file: input.file,
      line,
      statement: code ? shortenStatement(code) : undefined,
      suppressed: isCovered(py.markers, line, line),
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

const OP_RULES: Record<string, string> = { drop_table: 'drop-table', drop_column: 'drop-column', rename_table: 'rename-table' };

/** A table made by op.create_table or CREATE TABLE in a SQL string, and where. */
interface Creation {
  fn: string;
  at: number;
  table: string[];
}

/**
 * op.drop_table / drop_column / rename_table / alter_column(new_column_name=) and SQL in
 * execute()/text(). A table is scratch for a drop when the same function created it before, or
 * when downgrade() drops what upgrade() created.
 */
function operationFindings(input: CodeScanInput, py: PythonFile): Finding[] {
  const receivers = new Set(['op']);
  const creations: Creation[] = [];
  const sqlCalls: { call: Node; fn: string; sql: EmbeddedSql }[] = [];
  for (const call of py.calls) {
    const called = readCalledName(call);
    if (!called) continue;
    if (called.name === 'batch_alter_table' && call.parent?.type === 'as_pattern') {
      const alias = call.parent.childForFieldName('alias') ?? call.parent.namedChildren[call.parent.namedChildren.length - 1];
      if (alias) receivers.add(alias.text);
    }
    if (called.name === 'create_table' && called.object?.text === 'op') {
      const name = readStringValue(readCallArguments(call).positional[0]);
      if (name) creations.push({ fn: enclosingFunction(call), at: call.startIndex, table: [name.toLowerCase()] });
    }
    if ((called.name === 'execute' && called.object) || called.name === 'text') {
      const sql = readEmbeddedSql(readCallArguments(call).positional[0], input.text);
      if (sql) sqlCalls.push({ call, fn: enclosingFunction(call), sql });
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
      lineAt: (offset) => lines.lineOf(s.sql.sourceOffset(offset)),
    });
  for (const s of sqlCalls) {
    for (const table of scanString(s, []).created) creations.push({ fn: s.fn, at: s.call.startIndex, table });
  }
  const createdBefore = (fn: string, at: number): string[][] =>
    creations.filter((c) => (c.fn === fn && c.at < at) || (fn === 'downgrade' && c.fn === 'upgrade')).map((c) => c.table);

  const findings: Finding[] = [];
  for (const call of py.calls) {
    const called = readCalledName(call);
    if (!called?.object || !receivers.has(called.object.text)) continue;
    const { positional, keywords } = readCallArguments(call);
    let rule = OP_RULES[called.name];
    if (called.name === 'alter_column') rule = keywords.has('new_column_name') ? 'rename-column' : undefined;
    if (!rule) continue;
    if (rule === 'drop-table') {
      const table = readStringValue(positional[0] ?? keywords.get('table_name'))?.toLowerCase();
      const before = createdBefore(enclosingFunction(call), call.startIndex);
      if (table && before.some((t) => t[t.length - 1] === table)) continue;
    }
    const active = input.rules.active(rule);
    if (!active) continue;
    const at = { line: call.startPosition.row + 1, lastLine: call.endPosition.row + 1, code: call.text };
    findings.push(...withDirection(makeCallFindings(input, [active], at, py.markers), enclosingFunction(call)));
  }
  for (const s of sqlCalls) {
    const result = scanString(s, createdBefore(s.fn, s.call.startIndex));
    // A Python comment cannot sit inside the string, so a marker on the call's lines speaks for all of it.
    const byPython = isCovered(py.markers, s.call.startPosition.row + 1, s.call.endPosition.row + 1);
    findings.push(...withDirection(result.findings, s.fn).map((f) => (byPython ? { ...f, suppressed: true } : f)));
  }
  return findings;
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
  if (real.every((s) => s.type === 'raise_statement')) return 'raises';
  return 'present';
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
