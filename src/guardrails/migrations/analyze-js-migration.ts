import type { Node, Tree } from 'web-tree-sitter';
import type { Finding } from '../finding.js';
import { LineIndex } from '../line-index.js';
import { type MarkerLine, SAFETY_MARKER, findException, isAloneOnLine, readMarkerNote, shortenStatement } from '../safety-marker.js';
import type { CodeScanInput } from '../code/code-matchers.js';
import { dropRebuildIdiom } from '../sql/dialect-idioms.js';
import { scanSql } from '../sql/scan-sql.js';
import type { SqlDialect } from '../sql/detect-dialect.js';
import { collectDescendants } from '../../parsing/syntax-tree.js';
import { type JsDirection, type JsMigrationSteps, isEmptyStep, isRefusingStep, readDirection, readJsMigrationSteps } from './js-migration-steps.js';
import { isChainEnd, readJsOperation } from './js-operations.js';
import { readJsSqlCall } from './read-js-sql.js';

export type JsDowngrade = 'missing' | 'empty' | 'raises' | 'present';

export interface JsMigrationAnalysis {
  /** Whether the file is a migration at all (it has an `up`). */
  isMigration: boolean;
  form: string;
  upgrade: boolean;
  downgrade: JsDowngrade;
  structure: Finding[];
  operations: Finding[];
}

/** Lock and rewrite rules: no finding on a table created before in the same step (or by `up`, in `down`). */
const ON_EXISTING_TABLES = new Set([
  'drop-table', 'index-not-concurrent', 'drop-index-not-concurrent', 'fk-not-valid', 'check-not-valid', 'unique-without-index',
  'add-not-null-without-default', 'add-column-volatile-default', 'alter-column-type', 'set-not-null', 'drop-column', 'truncate',
]);

/**
 * A JavaScript/TypeScript migration read whole: its steps (`up`, `down`), the schema-builder calls
 * mapped to the SQL rules, and the SQL it hands to the database read by the SQL scanner.
 */
export function analyzeJsMigration(input: CodeScanInput & { dialect?: SqlDialect }, tree: Tree): JsMigrationAnalysis {
  const steps = readJsMigrationSteps(tree);
  if (!steps.up) return { isMigration: false, form: steps.form, upgrade: false, downgrade: 'missing', structure: [], operations: [] };
  const markers = readMarkers(tree, input.text);
  const isRule = (word: string): boolean => input.rules.rules.has(word);
  const findings: Finding[] = [];
  const add = (rule: string, node: Node, direction: JsDirection | undefined, detail?: string, note?: string): void => {
    const line = node.startPosition.row + 1;
    const exception = findException(markers, { first: line, last: node.endPosition.row + 1 }, rule, isRule);
    const f = input.rules.makeFinding(
      rule,
      { file: input.file, line, statement: shortenStatement(node.text), suppressed: exception !== undefined, exception: exception?.reason, ...(detail ? { detail } : {}), note },
      input.options,
    );
    if (f) findings.push(direction ? { ...f, direction: direction === 'up' ? 'upgrade' : 'downgrade' } : f);
  };
  const lines = new LineIndex(input.text);
  const created: Record<'up' | 'down' | 'none', string[][]> = { up: [], down: [], none: [] };
  const added = new Set<string>();
  // Calls in source order: `up` first in the usual layout, so `down` knows what `up` made.
  const ordered = orderUpFirst(steps);
  const types = readChangedTypes(steps, ordered);
  for (const call of ordered) {
    const direction = readDirection(steps, call);
    const bucket = direction ?? 'none';
    const before = direction === 'down' ? [...created.up, ...created.down] : created[bucket];
    const sql = readJsSqlCall(call);
    if (sql && 'unresolved' in sql) {
      add('unresolved-sql', call, direction, undefined, `${readCallName(call)}(${sql.unresolved}): SQL built at run time`);
      continue;
    }
    if (sql) {
      if (/^\s*\$\{[^}]*\}\s*;?\s*$/.test(sql.text)) {
        add('unresolved-sql', call, direction, undefined, `${readCallName(call)}(${sql.text.trim()}): SQL built at run time`);
        continue;
      }
      const start = sql.sourceStart;
      const result = scanSql({
        text: sql.text,
        file: input.file,
        rules: input.rules,
        options: input.options,
        createdBefore: before,
        ...(direction === 'down' ? { addedBefore: [...added] } : {}),
        ...(input.dialect ? { dialect: input.dialect } : {}),
        checkLockTimeout: false,
        // `knex.raw('now()')` handed to another call is a fragment of SQL, not a statement.
        reportUnreadable: call.parent?.type !== 'arguments' && call.parent?.type !== 'pair' && call.parent?.type !== 'array',
        lineAt: start === undefined ? () => call.startPosition.row + 1 : (offset) => lines.lineOf(start + offset),
      });
      created[bucket].push(...result.created);
      if (direction === 'up') result.added.forEach((a) => added.add(a));
      const span = { first: call.startPosition.row + 1, last: call.endPosition.row + 1 };
      for (const f of result.findings) {
        const exception = f.suppressed ? undefined : findException(markers, span, f.rule, isRule);
        const marked = exception ? { ...f, suppressed: true, exception: exception.reason } : f;
        findings.push(direction ? { ...marked, direction: direction === 'up' ? 'upgrade' : 'downgrade' } : marked);
      }
      continue;
    }
    if (!isChainEnd(call)) continue;
    const op = readJsOperation(call);
    if (op.creates) created[bucket].push([op.creates]);
    if (direction === 'up') op.adds?.forEach((a) => added.add(a));
    const seen = new Set<string>();
    for (const hit of op.hits) {
      if (hit.table && ON_EXISTING_TABLES.has(hit.rule) && before.some((t) => t[t.length - 1] === hit.table)) continue;
      if (direction === 'down' && hit.object && added.has(hit.object)) continue;
      // changeColumn to the type the other step gives the column too: the type does not change (a null or reference change).
      if (hit.rule === 'alter-column-type' && hit.typeText && direction && types.get(`${direction === 'up' ? 'down' : 'up'}\u0000${hit.detail ?? ''}`) === hit.typeText) continue;
      const key = `${hit.rule}\u0000${hit.detail ?? ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      add(hit.rule, call, direction, hit.detail);
    }
  }
  const downgrade: JsDowngrade = steps.downDisabled
    ? 'raises'
    : !steps.down
      ? 'missing'
      : isEmptyStep(steps.down)
        ? 'empty'
        : isRefusingStep(steps.down)
          ? 'raises'
          : 'present';
  const structure: Finding[] = [];
  const structural = (rule: string, node: Node | undefined, note: string): void => {
    const f = input.rules.makeFinding(rule, { file: input.file, line: node ? node.startPosition.row + 1 : 1, note }, input.options);
    if (f) structure.push(f);
  };
  const upEmpty = isEmptyStep(steps.up);
  if (upEmpty) structural('missing-upgrade', steps.up, `${steps.form}: up does nothing`);
  if (downgrade === 'missing') structural('missing-downgrade', undefined, `${steps.form}: no down`);
  if (downgrade === 'empty') structural('empty-downgrade', steps.down, `${steps.form}: down does nothing`);
  if (downgrade === 'raises') structural('irreversible-downgrade', steps.down, `${steps.form}: down refuses to run`);
  // SQLite's table rebuild spread over several query() calls: create `temporary_t`, copy, drop `t`, rename.
  const operations = input.dialect === 'sqlite' ? dropRebuildIdiom(findings, [...created.up, ...created.down, ...created.none]) : findings;
  return { isMigration: true, form: steps.form, upgrade: !upEmpty, downgrade, structure, operations: operations.sort((a, b) => a.line - b.line) };
}

/** The type each changeColumn gives a column, by step: `up\u0000table.column` -> `Sequelize.UUID`. */
function readChangedTypes(steps: JsMigrationSteps, calls: Node[]): Map<string, string> {
  const types = new Map<string, string>();
  for (const call of calls) {
    const direction = readDirection(steps, call);
    if (!direction || !isChainEnd(call)) continue;
    for (const hit of readJsOperation(call).hits) {
      if (hit.rule === 'alter-column-type' && hit.typeText) types.set(`${direction}\u0000${hit.detail ?? ''}`, hit.typeText);
    }
  }
  return types;
}

/** Calls in `up`, then the rest: `down` (often written first) then sees what `up` made. */
function orderUpFirst(steps: JsMigrationSteps): Node[] {
  const inUp: Node[] = [];
  const rest: Node[] = [];
  for (const call of steps.calls) (readDirection(steps, call) === 'up' ? inUp : rest).push(call);
  return [...inUp, ...rest];
}

function readCallName(call: Node): string {
  const fn = call.childForFieldName('function');
  return (fn?.text ?? 'a call').replace(/\s+/g, '').slice(-40);
}

function readMarkers(tree: Tree, text: string): MarkerLine[] {
  return collectDescendants(tree.rootNode, COMMENT)
    .filter((c) => SAFETY_MARKER.test(c.text))
    .map((c) => ({ line: c.startPosition.row + 1, commentOnly: isAloneOnLine(text, c.startIndex, c.endIndex), note: readMarkerNote(c.text) }));
}
const COMMENT = new Set(['comment']);
