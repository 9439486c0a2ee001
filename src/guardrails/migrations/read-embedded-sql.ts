import type { Node } from 'web-tree-sitter';
import { collectDescendants, findAncestor } from '../../parsing/syntax-tree.js';

/** SQL taken from a Python string literal, with the way back to the source for line numbers. */
export interface EmbeddedSql {
  text: string;
  /** The source offset of an offset in `text`. */
  sourceOffset(offset: number): number;
}

/**
 * The SQL of a string argument: a literal, implicitly concatenated literals, an f-string (its
 * `{...}` parts stay as template text), `"..." % args` or `"...".format(...)`. Escapes are
 * neutralised without changing lengths, so every character keeps its source position.
 */
export function readEmbeddedSql(node: Node | undefined, source: string): EmbeddedSql | undefined {
  const literal = findLiteral(node);
  if (!literal) return undefined;
  const parts = literal.type === 'concatenated_string' ? literal.namedChildren.filter((c): c is Node => c?.type === 'string') : [literal];
  const segments: { at: number; source: number }[] = [];
  let text = '';
  for (const part of parts) {
    const start = part.namedChildren.find((c) => c?.type === 'string_start');
    const end = part.namedChildren.find((c) => c?.type === 'string_end');
    if (!start || !end) continue;
    if (text.length > 0) text += ' ';
    segments.push({ at: text.length, source: start.endIndex });
    const raw = source.slice(start.endIndex, end.startIndex);
    text += /r/i.test(start.text) ? raw : neutraliseEscapes(raw);
  }
  if (segments.length === 0) return undefined;
  return {
    text,
    sourceOffset(offset: number): number {
      let seg = segments[0] ?? { at: 0, source: 0 };
      for (const s of segments) if (s.at <= offset) seg = s;
      return seg.source + (offset - seg.at);
    },
  };
}

function findLiteral(node: Node | undefined): Node | undefined {
  if (!node) return undefined;
  switch (node.type) {
    case 'string':
    case 'concatenated_string':
      return node;
    case 'parenthesized_expression':
      return findLiteral(node.namedChildren[0] ?? undefined);
    case 'binary_operator':
      return node.childForFieldName('operator')?.text === '%' ? findLiteral(node.childForFieldName('left') ?? undefined) : undefined;
    case 'call': {
      const fn = node.childForFieldName('function');
      if (fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'format') {
        return findLiteral(fn.childForFieldName('object') ?? undefined);
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

/** `\'` -> ` '`, `\\` -> ` \`, `\n` -> ` ` + newline: same length, SQL reads what Python meant. */
function neutraliseEscapes(raw: string): string {
  return raw.replace(/\\([\s\S])/g, (m, c: string) => {
    if (c === 'n') return ' \n';
    if (c === 't') return ' \t';
    if (c === "'" || c === '"' || c === '\\') return ` ${c}`;
    return m;
  });
}

const TEXT_CALL = /^((sa|sqlalchemy|sql|expression)\.)?text$/;
const TEXT_METHODS = new Set(['bindparams', 'execution_options', 'columns', 'strip', 'lstrip', 'rstrip']);
/** Calls that hand back the same SQL text: dedent("..."), str("..."). */
const SAME_TEXT_CALL = /^((textwrap|inspect)\.)?(dedent|cleandoc)$|^str$/;

/**
 * The node holding the SQL text an `execute()` argument stands for: through `text(...)`, a local
 * variable assigned before the call in the same function, or a module constant; `%` and
 * `.format()` on either. `indirect` when it came through a name (report it at the call);
 * `unresolved` names what could not be followed.
 */
export function resolveSqlNode(node: Node | undefined, depth = 0): { node: Node; indirect: boolean } | { unresolved: string } | undefined {
  if (!node || depth > 6) return undefined;
  switch (node.type) {
    case 'string':
    case 'concatenated_string':
      return { node, indirect: depth > 0 };
    case 'parenthesized_expression':
      return resolveSqlNode(node.namedChildren[0] ?? undefined, depth);
    case 'identifier': {
      const value = findAssignedValue(node);
      if (!value) return { unresolved: node.text };
      const found = resolveSqlNode(value, depth + 1);
      return found && 'node' in found ? { node: found.node, indirect: true } : (found ?? { unresolved: node.text });
    }
    case 'binary_operator': {
      if (node.childForFieldName('operator')?.text !== '%') return { unresolved: node.text.slice(0, 60) };
      const left = resolveSqlNode(node.childForFieldName('left') ?? undefined, depth);
      if (!left || !('node' in left)) return left;
      return left.indirect ? left : { node, indirect: depth > 0 };
    }
    case 'call': {
      const fn = node.childForFieldName('function');
      if (fn && (TEXT_CALL.test(fn.text) || SAME_TEXT_CALL.test(fn.text))) {
        const args = node.childForFieldName('arguments')?.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment' && c.type !== 'keyword_argument');
        return resolveSqlNode(args?.[0], depth);
      }
      // text("...").bindparams(...), .execution_options(...), .columns(...), "...".strip(): the same SQL.
      if (fn?.type === 'attribute' && TEXT_METHODS.has(fn.childForFieldName('attribute')?.text ?? '')) {
        return resolveSqlNode(fn.childForFieldName('object') ?? undefined, depth);
      }
      if (fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'format') {
        const inner = resolveSqlNode(fn.childForFieldName('object') ?? undefined, depth);
        if (!inner || !('node' in inner)) return inner;
        return inner.indirect ? inner : { node, indirect: depth > 0 };
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

/** The value last assigned to a name before `use`: in its function (any block of it), else at module level. */
function findAssignedValue(use: Node): Node | undefined {
  const name = use.text;
  let fn: Node | null = use.parent;
  while (fn && fn.type !== 'function_definition') fn = fn.parent;
  const assigned = (root: Node, before: number, outsideFunctions: boolean): Node | undefined => {
    let found: Node | undefined;
    for (const a of collectDescendants(root, ASSIGNMENT)) {
      if (a.startIndex >= before) break;
      if (outsideFunctions && findAncestor(a, FUNCTION)) continue;
      if (a.childForFieldName('left')?.text === name) found = a.childForFieldName('right') ?? undefined;
    }
    return found;
  };
  const local = fn ? assigned(fn, use.startIndex, false) : undefined;
  if (local) return local;
  let root: Node = use;
  while (root.parent) root = root.parent;
  // The module has run by the time a migration function is called: its constants count wherever they stand.
  return assigned(root, fn ? Infinity : use.startIndex, true);
}
const ASSIGNMENT = new Set(['assignment']);
const FUNCTION = new Set(['function_definition']);
