import type { Node } from 'web-tree-sitter';

// Python syntax trees (tree-sitter-python): calls, their arguments, string literals.

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

/** The value of a plain string literal (no interpolation), or undefined; Alembic's `op.f("name")` reads as its name. */
export function readStringValue(node: Node | undefined): string | undefined {
  if (node?.type === 'call' && /(^|\.)f$/.test(node.childForFieldName('function')?.text ?? '')) {
    return readStringValue(readCallArguments(node).positional[0]);
  }
  if (!node || node.type !== 'string') return undefined;
  if (node.namedChildren.some((c) => c?.type === 'interpolation')) return undefined;
  return node.namedChildren
    .filter((c) => c?.type === 'string_content')
    .map((c) => c?.text ?? '')
    .join('');
}
