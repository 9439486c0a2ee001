import type { Node } from 'web-tree-sitter';

// JavaScript and TypeScript syntax trees (tree-sitter-javascript, -typescript, -tsx).

/** Callee of a call: `s3.deleteBucket(x)` gives { receiver: `s3`, name: 'deleteBucket' }; `f(x)` gives { name: 'f' }. */
export function readCallee(call: Node): { receiver?: Node; name: string } | undefined {
  const fn = call.childForFieldName('function');
  if (!fn) return undefined;
  if (fn.type === 'identifier') return { name: fn.text };
  if (fn.type === 'member_expression') {
    const property = fn.childForFieldName('property');
    const object = fn.childForFieldName('object');
    return property ? { name: property.text, ...(object ? { receiver: object } : {}) } : undefined;
  }
  return undefined;
}

/** The class a `new` expression builds: `new S3Client()` gives `S3Client`, `new AWS.S3()` gives `AWS.S3`. */
export function readConstructed(node: Node): string | undefined {
  if (node.type !== 'new_expression') return undefined;
  const ctor = node.childForFieldName('constructor');
  return ctor ? stripParentheses(ctor).text : undefined;
}

/** The arguments of a call or `new` expression. */
export function readArguments(call: Node): Node[] {
  const args = call.childForFieldName('arguments');
  return (args?.namedChildren ?? []).filter((n): n is Node => n !== null && n.type !== 'comment');
}

/** The value of a string literal or a template literal without `${}`, or undefined. */
export function readJsString(node: Node | null | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === 'string') return node.text.slice(1, -1);
  if (node.type === 'template_string') {
    if (node.namedChildren.some((c) => c?.type === 'template_substitution')) return undefined;
    return node.text.slice(1, -1);
  }
  return undefined;
}

/** `(x)` and `x as T` and `x!` read as `x`. */
export function stripParentheses(node: Node): Node {
  let n = node;
  for (;;) {
    if ((n.type === 'parenthesized_expression' || n.type === 'as_expression' || n.type === 'non_null_expression' || n.type === 'satisfies_expression') && n.namedChildren[0]) {
      n = n.namedChildren[0];
    } else if (n.type === 'await_expression' && n.namedChildren[0]) {
      n = n.namedChildren[0];
    } else return n;
  }
}

/** The module a `require('x')` call or `import ... from 'x'` names. */
export function readModuleName(node: Node): string | undefined {
  if (node.type === 'import_statement') return readJsString(node.childForFieldName('source'));
  if (node.type === 'call_expression' && node.childForFieldName('function')?.text === 'require') {
    return readJsString(readArguments(node)[0]);
  }
  return undefined;
}
