import type { Node } from 'web-tree-sitter';
import type { Finding } from '../finding.js';
import { LineIndex } from '../line-index.js';
import { findException, shortenStatement } from '../safety-marker.js';
import type { CodeScanInput } from '../code/code-matchers.js';
import type { PythonFile } from '../code/scan-python.js';
import { scanSql } from '../sql/scan-sql.js';
import type { SqlDialect } from '../sql/detect-dialect.js';
import { readCallArguments, readCalledName } from '../../parsing/python-syntax.js';
import { type FieldShape, readArgument, readArgumentNode, readDjangoOperations, readEffect, readFieldShape, readFieldsBefore } from './django-operations.js';
import { readEmbeddedSql, resolveSqlNode } from './read-embedded-sql.js';

export interface DjangoAnalysis {
  isMigration: boolean;
  /** Every RunPython and RunSQL has a reverse (Django reverts the other operations by itself). */
  reversible: boolean;
  structure: Finding[];
  operations: Finding[];
}

/** Rules that do not apply to a model created earlier in the same migration (its table is new and empty). */
const ON_NEW_MODELS = new Set(['add-not-null-without-default', 'alter-column-type', 'set-not-null', 'index-not-concurrent', 'fk-not-valid', 'check-not-valid', 'unique-without-index', 'drop-column', 'drop-index-not-concurrent']);
const RELATIONS = new Set(['ForeignKey', 'OneToOneField']);
/** Fields that are no column of their model's table (a join table, a tag manager). */
const NOT_COLUMNS = new Set(['ManyToManyField', 'GenericRelation', 'TaggableManager', 'GenericForeignKey']);

/**
 * A Django migration's operations mapped to the SQL rules (RemoveField is drop-column, DeleteModel
 * drop-table, ...), RunSQL read by the SQL scanner, and RunPython/RunSQL without a reverse.
 * AlterField is compared with the field as the app's earlier migrations left it.
 */
export async function analyzeDjango(input: CodeScanInput & { absolute?: string; dialect?: SqlDialect }, py: PythonFile): Promise<DjangoAnalysis> {
  const ops = readDjangoOperations(py.tree.rootNode);
  if (!ops) return { isMigration: false, reversible: true, structure: [], operations: [] };
  const isRule = (word: string): boolean => input.rules.rules.has(word);
  const findings: Finding[] = [];
  const structure: Finding[] = [];
  const add = (rule: string, call: Node, detail?: string, note?: string, into = findings): void => {
    const line = call.startPosition.row + 1;
    const exception = findException(py.markers, { first: line, last: call.endPosition.row + 1 }, rule, isRule);
    const f = input.rules.makeFinding(
      rule,
      { file: input.file, line, statement: shortenStatement(call.text), suppressed: exception !== undefined, exception: exception?.reason, ...(detail ? { detail } : {}), note },
      input.options,
    );
    if (f) into.push({ ...f, direction: 'upgrade' });
  };
  const before = ops.some((op) => readCalledName(op)?.name === 'AlterField') && input.absolute ? await readFieldsBefore(input.absolute) : new Map<string, FieldShape>();
  // Each operation's effect on the fields applies before the next one is read (a RenameField, then an AlterField).
  const apply = (op: Node): void => readEffect(op)(before);
  const created = new Set<string>();
  const lines = new LineIndex(input.text);
  let reversible = true;
  for (const op of ops) {
    const name = readCalledName(op)?.name ?? '';
    const model = readArgument(op, 0, name === 'CreateModel' || name === 'DeleteModel' ? 'name' : 'model_name') ?? '';
    const field = readArgument(op, 1, 'name') ?? '';
    const hit = (rule: string, detail = field ? `${model}.${field}` : model, note?: string): void => {
      if (!(ON_NEW_MODELS.has(rule) && created.has(model))) add(rule, op, detail, note);
    };
    switch (name) {
      case 'CreateModel':
        created.add(model);
        break;
      case 'DeleteModel':
        hit('drop-table', model);
        break;
      case 'RemoveField':
        hit('drop-column');
        break;
      case 'RenameField':
        hit('rename-column', `${model}.${readArgument(op, 1, 'old_name') ?? '?'} -> ${readArgument(op, 2, 'new_name') ?? '?'}`);
        break;
      case 'RenameModel':
        hit('rename-table', `${readArgument(op, 0, 'old_name') ?? '?'} -> ${readArgument(op, 1, 'new_name') ?? '?'}`);
        break;
      case 'AddField': {
        const node = readArgumentNode(op, 2, 'field');
        const shape = readFieldShape(node);
        if (!shape || NOT_COLUMNS.has(shape.kind) || node?.type !== 'call') break;
        const { keywords } = readCallArguments(node);
        const hasDefault = keywords.has('default') || keywords.has('db_default') || keywords.get('primary_key')?.text === 'True' || /Auto(Field)?$|AutoField$/.test(shape.kind);
        if (!shape.nullable && !hasDefault) hit('add-not-null-without-default');
        if (RELATIONS.has(shape.kind) && keywords.get('db_constraint')?.text !== 'False') hit('fk-not-valid');
        break;
      }
      case 'AlterField': {
        const shape = readFieldShape(readArgumentNode(op, 2, 'field'));
        const old = before.get(`${model}.${field}`);
        if (!shape || NOT_COLUMNS.has(shape.kind) || (old && NOT_COLUMNS.has(old.kind))) break;
        if (!old) {
          hit('alter-column-type', undefined, 'the field as the earlier migrations left it was not found; read as a change of type');
          break;
        }
        if (old.kind !== shape.kind || (old.maxLength !== shape.maxLength && Number(shape.maxLength) < Number(old.maxLength))) hit('alter-column-type');
        if (old.nullable && !shape.nullable) hit('set-not-null');
        break;
      }
      case 'AddIndex':
        hit('index-not-concurrent', model);
        break;
      case 'RemoveIndex':
        hit('drop-index-not-concurrent', `${model}.${readArgument(op, 1, 'name') ?? '?'}`);
        break;
      case 'AddConstraint': {
        const kind = readArgumentNode(op, 1, 'constraint')?.childForFieldName('function')?.text ?? '';
        if (/CheckConstraint$/.test(kind)) hit('check-not-valid', model);
        else if (/UniqueConstraint$/.test(kind)) hit('unique-without-index', model);
        break;
      }
      case 'RunPython':
        if (!readArgumentNode(op, 1, 'reverse_code')) {
          reversible = false;
          add('irreversible-downgrade', op, undefined, 'Django RunPython without reverse_code', structure);
        }
        break;
      case 'RunSQL': {
        if (!readArgumentNode(op, 1, 'reverse_sql')) {
          reversible = false;
          add('irreversible-downgrade', op, undefined, 'Django RunSQL without reverse_sql', structure);
        }
        for (const piece of readSqlPieces(readArgumentNode(op, 0, 'sql'))) {
          if ('unresolved' in piece) {
            add('unresolved-sql', op, undefined, `RunSQL(${piece.unresolved}): SQL built at run time`);
            continue;
          }
          const sql = readEmbeddedSql(piece.node, input.text);
          if (!sql) continue;
          const result = scanSql({
            text: sql.text,
            file: input.file,
            rules: input.rules,
            options: input.options,
            createdBefore: [...created].map((m) => [m]),
            ...(input.dialect ? { dialect: input.dialect } : {}),
            checkLockTimeout: false,
            lineAt: piece.indirect ? () => op.startPosition.row + 1 : (offset) => lines.lineOf(sql.sourceOffset(offset)),
          });
          findings.push(...result.findings.map((f): Finding => ({ ...f, direction: 'upgrade' })));
        }
        break;
      }
    }
    apply(op);
  }
  return { isMigration: true, reversible, structure, operations: findings.sort((a, b) => a.line - b.line) };
}

/** RunSQL's `sql`: a string, a list or tuple of strings (or of `(sql, params)` pairs), or a name bound to one. */
function readSqlPieces(node: Node | undefined): ({ node: Node; indirect: boolean } | { unresolved: string })[] {
  if (!node) return [];
  if (node.type === 'list' || node.type === 'tuple') {
    return node.namedChildren.flatMap((c) => {
      if (!c) return [];
      if (c.type === 'tuple' || c.type === 'list') return readSqlPieces(c.namedChildren[0] ?? undefined);
      return readSqlPieces(c);
    });
  }
  const resolved = resolveSqlNode(node);
  if (!resolved) return [{ unresolved: node.text.slice(0, 60) }];
  return [resolved];
}
