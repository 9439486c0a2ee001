import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Node } from 'web-tree-sitter';
import { readCallArguments, readCalledName, readStringValue } from '../../parsing/python-syntax.js';
import { withSyntaxTree } from '../../parsing/parse-source.js';

// Django migrations: the `operations` of a `class Migration(migrations.Migration)`, and what the
// earlier migrations of the same app made of each field (AlterField is a change only against it).

/** A field as a migration declares it: its class, and what decides its column. */
export interface FieldShape {
  kind: string;
  nullable: boolean;
  maxLength?: string;
}

/** The operation calls of a Django migration (inside SeparateDatabaseAndState only the database's), or undefined when it is none. */
export function readDjangoOperations(root: Node): Node[] | undefined {
  for (const stmt of root.namedChildren) {
    const cls = stmt?.type === 'decorated_definition' ? stmt.childForFieldName('definition') : stmt;
    if (cls?.type !== 'class_definition' || cls.childForFieldName('name')?.text !== 'Migration') continue;
    if (!/\bMigration\b/.test(cls.childForFieldName('superclasses')?.text ?? '')) continue;
    for (const s of cls.childForFieldName('body')?.namedChildren ?? []) {
      const assignment = s?.type === 'expression_statement' ? s.namedChildren[0] : undefined;
      if (assignment?.type !== 'assignment' || assignment.childForFieldName('left')?.text !== 'operations') continue;
      const list = assignment.childForFieldName('right');
      return list ? flattenOperations(list) : [];
    }
    return [];
  }
  return undefined;
}

function flattenOperations(list: Node): Node[] {
  const out: Node[] = [];
  for (const item of list.namedChildren) {
    if (item?.type !== 'call') continue;
    if (readCalledName(item)?.name === 'SeparateDatabaseAndState') {
      const db = readCallArguments(item).keywords.get('database_operations');
      if (db) out.push(...flattenOperations(db));
    } else out.push(item);
  }
  return out;
}

/** `models.CharField(max_length=20, null=True)` read as its shape. */
export function readFieldShape(field: Node | undefined): FieldShape | undefined {
  if (field?.type !== 'call') return undefined;
  const fn = field.childForFieldName('function')?.text ?? '';
  const { keywords } = readCallArguments(field);
  const maxLength = keywords.get('max_length')?.text;
  return { kind: fn.split('.').pop() ?? fn, nullable: keywords.get('null')?.text === 'True', ...(maxLength ? { maxLength } : {}) };
}

/** An argument by position or keyword, as a lowercased string. */
export function readArgument(call: Node, index: number, keyword: string): string | undefined {
  const { positional, keywords } = readCallArguments(call);
  return readStringValue(keywords.get(keyword) ?? positional[index])?.toLowerCase();
}

/** The node of an argument by position or keyword. */
export function readArgumentNode(call: Node, index: number, keyword: string): Node | undefined {
  const { positional, keywords } = readCallArguments(call);
  return keywords.get(keyword) ?? positional[index];
}

type Fields = Map<string, FieldShape>;
/** Each migration's effect on the app's fields, read once per file. */
const effects = new Map<string, ((fields: Fields) => void)[]>();

/** The fields (`model.field`) the migrations before `file` in its folder leave, in name order. */
export async function readFieldsBefore(file: string): Promise<Fields> {
  const dir = path.dirname(file);
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /^\d+.*\.py$/.test(n)).sort();
  } catch {
    return new Map();
  }
  const fields: Fields = new Map();
  for (const name of names) {
    const other = path.join(dir, name);
    if (other === file || name >= path.basename(file)) break;
    let steps = effects.get(other);
    if (!steps) {
      steps = await readEffects(other);
      effects.set(other, steps);
    }
    for (const step of steps) step(fields);
  }
  return fields;
}

async function readEffects(file: string): Promise<((fields: Fields) => void)[]> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  if (!/\boperations\b/.test(text)) return [];
  return withSyntaxTree('python', text, (tree) => (readDjangoOperations(tree.rootNode) ?? []).map((op) => readEffect(op)));
}

/** What one operation does to the app's fields. */
export function readEffect(op: Node): (fields: Fields) => void {
  const name = readCalledName(op)?.name;
  const model = readArgument(op, 0, name === 'CreateModel' || name === 'DeleteModel' ? 'name' : 'model_name') ?? '';
  switch (name) {
    case 'CreateModel': {
      const list = readArgumentNode(op, 1, 'fields');
      const shapes: [string, FieldShape][] = [];
      for (const t of list?.namedChildren ?? []) {
        const fieldName = readStringValue(t?.namedChildren[0] ?? undefined)?.toLowerCase();
        const shape = readFieldShape(t?.namedChildren[1] ?? undefined);
        if (fieldName && shape) shapes.push([fieldName, shape]);
      }
      return (fields) => shapes.forEach(([f, s]) => fields.set(`${model}.${f}`, s));
    }
    case 'AddField':
    case 'AlterField': {
      const field = readArgument(op, 1, 'name');
      const shape = readFieldShape(readArgumentNode(op, 2, 'field'));
      return (fields) => {
        if (field && shape) fields.set(`${model}.${field}`, shape);
      };
    }
    case 'RemoveField': {
      const field = readArgument(op, 1, 'name');
      return (fields) => fields.delete(`${model}.${field}`);
    }
    case 'RenameField': {
      const from = readArgument(op, 1, 'old_name');
      const to = readArgument(op, 2, 'new_name');
      return (fields) => {
        const shape = fields.get(`${model}.${from}`);
        if (shape) fields.set(`${model}.${to}`, shape);
        fields.delete(`${model}.${from}`);
      };
    }
    case 'RenameModel': {
      const from = readArgument(op, 0, 'old_name');
      const to = readArgument(op, 1, 'new_name');
      return (fields) => {
        for (const [k, v] of [...fields]) {
          if (!k.startsWith(`${from}.`)) continue;
          fields.set(`${to}.${k.slice(`${from}.`.length)}`, v);
          fields.delete(k);
        }
      };
    }
    default:
      return () => {};
  }
}
