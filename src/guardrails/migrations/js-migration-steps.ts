import type { Node, Tree } from 'web-tree-sitter';
import { readArguments, readCallee, stripParentheses } from '../../parsing/javascript-syntax.js';
import { collectDescendants } from '../../parsing/syntax-tree.js';

// A JavaScript/TypeScript migration's steps: the `up` and `down` functions of Knex, Sequelize,
// TypeORM, db-migrate, node-pg-migrate and Kysely files (`exports.up =`, `module.exports = { up }`,
// `export async function up`, `export const up =`, a class's `up()` method), and which tool wrote it.

export type JsDirection = 'up' | 'down';

export interface JsMigrationSteps {
  up?: Node;
  down?: Node;
  /** `exports.down = false` (node-pg-migrate's irreversible migration). */
  downDisabled: boolean;
  /** Knex, Sequelize, TypeORM, db-migrate, node-pg-migrate, Kysely, or `JavaScript` when the file does not say. */
  form: string;
  calls: Node[];
  /** Tagged templates that are not calls of their own in the grammar are calls too: `sql\`...\``. */
  functions: Node[];
}

const FUNCTIONS = new Set(['function_declaration', 'generator_function_declaration', 'function_expression', 'function', 'arrow_function', 'method_definition']);
const INDEXED = new Set([...FUNCTIONS, 'call_expression', 'assignment_expression', 'pair']);

/** The steps of a JavaScript/TypeScript file read as a migration (`up` undefined when it has none). */
export function readJsMigrationSteps(tree: Tree): JsMigrationSteps {
  const steps: JsMigrationSteps = { downDisabled: false, form: 'JavaScript', calls: [], functions: [] };
  const named = new Map<string, Node>();
  const aliases: [JsDirection, string][] = [];
  for (const node of collectDescendants(tree.rootNode, INDEXED)) {
    if (node.type === 'call_expression') {
      steps.calls.push(node);
      continue;
    }
    if (node.type === 'assignment_expression' || node.type === 'pair') {
      // `exports.down = false`, `module.exports = { up: migrateUp }`
      const key = node.type === 'pair' ? node.childForFieldName('key') : node.childForFieldName('left');
      const value = node.childForFieldName(node.type === 'pair' ? 'value' : 'right');
      const name = readStepName(key);
      if (name && value?.type === 'false') steps.downDisabled ||= name === 'down';
      if (name && value?.type === 'identifier') aliases.push([name, value.text]);
      continue;
    }
    steps.functions.push(node);
    const name = readFunctionName(node);
    if (name) named.set(name, node);
    const direction = readStepName(readNameNode(node));
    if (direction && !steps[direction]) steps[direction] = node;
  }
  for (const [direction, name] of aliases) {
    const fn = named.get(name);
    if (fn && !steps[direction]) steps[direction] = fn;
  }
  steps.form = readForm(steps);
  return steps;
}

/** Which step a node is in: the nearest enclosing function that is `up` or `down`. */
export function readDirection(steps: JsMigrationSteps, node: Node): JsDirection | undefined {
  for (let n: Node | null = node.parent; n; n = n.parent) {
    if (steps.up && n.equals(steps.up)) return 'up';
    if (steps.down && n.equals(steps.down)) return 'down';
  }
  return undefined;
}

/** Whether a step's body does nothing: `{}`, only comments, `return Promise.resolve()`, a bare `callback()`. */
export function isEmptyStep(fn: Node): boolean {
  const body = fn.childForFieldName('body');
  if (!body) return true;
  if (body.type !== 'statement_block') return /^(Promise\.resolve\(\s*\)|null|undefined|true)$/.test(stripParentheses(body).text);
  const stmts = body.namedChildren.filter((n): n is Node => n !== null && n.type !== 'comment' && n.type !== 'empty_statement');
  return stmts.every((s) => /^(return\s*)?(Promise\.resolve\(\s*\)|(callback|cb|done|next)\(\s*\))?\s*;?$/.test(s.text));
}

/** Whether a step only throws (it refuses to run). */
export function isRefusingStep(fn: Node): boolean {
  const body = fn.childForFieldName('body');
  const stmts = (body?.namedChildren ?? []).filter((n): n is Node => n !== null && n.type !== 'comment');
  return stmts.length > 0 && stmts.every((s) => s.type === 'throw_statement' || /^(return\s+)?Promise\.reject\(/.test(s.text));
}

function readNameNode(fn: Node): Node | null {
  if (fn.type === 'function_declaration' || fn.type === 'generator_function_declaration' || fn.type === 'method_definition') return fn.childForFieldName('name');
  const parent = fn.parent;
  if (!parent) return null;
  if (parent.type === 'pair') return parent.childForFieldName('key');
  if (parent.type === 'assignment_expression') return parent.childForFieldName('left');
  if (parent.type === 'variable_declarator') return parent.childForFieldName('name');
  return null;
}

function readFunctionName(fn: Node): string | undefined {
  const name = readNameNode(fn);
  return name?.type === 'identifier' ? name.text : undefined;
}

/** `up`, `exports.up`, `module.exports.up`, `'up'`: the step a name is. */
function readStepName(node: Node | null | undefined): JsDirection | undefined {
  if (!node) return undefined;
  const text = node.type === 'member_expression' ? (node.childForFieldName('property')?.text ?? '') : node.text.replace(/^['"]|['"]$/g, '');
  return text === 'up' || text === 'down' ? text : undefined;
}

const FORMS: [RegExp, string][] = [
  [/^(knex|trx|k)$/, 'Knex'],
  [/^(queryInterface|qi|queryinterface)$/, 'Sequelize'],
  [/^(queryRunner|qr|runner)$/, 'TypeORM'],
  [/^pgm$/, 'node-pg-migrate'],
];

function readForm(steps: JsMigrationSteps): string {
  const params = steps.up?.childForFieldName('parameters') ?? steps.up?.childForFieldName('parameter');
  const first = params?.type === 'identifier' ? params : params?.namedChildren[0];
  const name = (first?.childForFieldName('pattern') ?? first)?.text ?? '';
  const type = first?.childForFieldName('type')?.text ?? '';
  for (const [pattern, form] of FORMS) if (pattern.test(name)) return form;
  if (/Kysely/.test(type)) return 'Kysely';
  if (/QueryRunner/.test(type)) return 'TypeORM';
  if (/Knex/.test(type)) return 'Knex';
  if (/MigrationBuilder/.test(type)) return 'node-pg-migrate';
  if (name === 'db') {
    const usesDbMigrate = steps.calls.some((c) => readCallee(c)?.name === 'runSql' || (readCallee(c)?.receiver?.text === 'db' && readArguments(c).length > 0));
    return usesDbMigrate ? 'db-migrate' : 'JavaScript';
  }
  return 'JavaScript';
}
