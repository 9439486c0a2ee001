import { createRequire } from 'node:module';
import { Language, type Node, Parser } from 'web-tree-sitter';

// tree-sitter's Python grammar as WebAssembly: loaded once, no native build.
let loading: Promise<Parser> | undefined;

export function loadPythonParser(): Promise<Parser> {
  loading ??= (async () => {
    await Parser.init();
    const require = createRequire(import.meta.url);
    const language = await Language.load(require.resolve('tree-sitter-python/tree-sitter-python.wasm'));
    const parser = new Parser();
    parser.setLanguage(language);
    return parser;
  })();
  return loading;
}

/** Every node of `type` under `root`, in source order. */
export function collectDescendants(root: Node, types: ReadonlySet<string>): Node[] {
  const found: Node[] = [];
  const cursor = root.walk();
  let done = false;
  while (!done) {
    if (types.has(cursor.nodeType)) found.push(cursor.currentNode);
    if (cursor.gotoFirstChild()) continue;
    while (!cursor.gotoNextSibling()) {
      if (!cursor.gotoParent()) {
        done = true;
        break;
      }
    }
  }
  cursor.delete();
  return found;
}

/** The called name of a call node: `op.drop_table(...)` gives { object: 'op', name: 'drop_table' }. */
export function readCalledName(call: Node): { object?: Node; name: string } | undefined {
  const fn = call.childForFieldName('function');
  if (!fn) return undefined;
  if (fn.type === 'identifier') return { name: fn.text };
  if (fn.type === 'attribute') {
    const attr = fn.childForFieldName('attribute');
    const object = fn.childForFieldName('object');
    return attr ? { name: attr.text, ...(object ? { object } : {}) } : undefined;
  }
  return undefined;
}

/** Positional and keyword arguments of a call node. */
export function readCallArguments(call: Node): { positional: Node[]; keywords: Map<string, Node> } {
  const positional: Node[] = [];
  const keywords = new Map<string, Node>();
  const args = call.childForFieldName('arguments');
  for (const child of args?.namedChildren ?? []) {
    if (!child || child.type === 'comment') continue;
    if (child.type === 'keyword_argument') {
      const name = child.childForFieldName('name');
      const value = child.childForFieldName('value');
      if (name && value) keywords.set(name.text, value);
    } else positional.push(child);
  }
  return { positional, keywords };
}

/** The value of a plain string literal (no interpolation), or undefined. */
export function readStringValue(node: Node | undefined): string | undefined {
  if (!node || node.type !== 'string') return undefined;
  if (node.namedChildren.some((c) => c?.type === 'interpolation')) return undefined;
  return node.namedChildren
    .filter((c) => c?.type === 'string_content')
    .map((c) => c?.text ?? '')
    .join('');
}
