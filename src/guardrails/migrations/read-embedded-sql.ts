import type { Node } from 'web-tree-sitter';

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
