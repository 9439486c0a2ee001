import { LineCounter, Parser, parseDocument, visit, type CST } from 'yaml';
import { InputError, formatProblems } from '../errors.js';

const MAX_DEPTH = 256;
// A configuration file past this size is a mistake, and the parser takes seconds over one.
const MAX_CHARS = 1024 * 1024;
// Aliases that expand to aliases ("billion laughs") are refused past this many resolutions.
const MAX_ALIAS_COUNT = 100;

/**
 * A YAML file (contract, project file) as plain data, or an InputError naming the file and the
 * line: syntax errors, duplicate keys, nesting deeper than 256 levels (which would overflow the
 * parser's stack), aliases that expand without bound and files over 1 MB are refused before the
 * data is built.
 */
export function parseYamlText(text: string, file: string): unknown {
  if (text.length > MAX_CHARS) {
    throw new InputError(`${file}: the file is ${(text.length / MAX_CHARS).toFixed(1)} MB; a YAML configuration file may be at most 1 MB`);
  }
  const deep = findExcessiveNesting(text);
  if (deep) throw new InputError(`${file}: line ${deep.line}, column ${deep.col}: nested deeper than ${MAX_DEPTH} levels`);
  const lines = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter: lines });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => {
      const { line, col } = lines.linePos(e.pos[0]);
      return `line ${line}, column ${col}: ${e.message.split('\n')[0]}`;
    });
    throw new InputError(formatProblems(`${file}: not valid YAML`, problems), problems);
  }
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    if (!(e instanceof ReferenceError)) throw e;
    let at = 0;
    visit(doc, {
      Alias(_, node) {
        at = node.range?.[0] ?? 0;
        return visit.BREAK;
      },
    });
    const { line, col } = lines.linePos(at);
    throw new InputError(`${file}: line ${line}, column ${col}: aliases expand to too many values (more than ${MAX_ALIAS_COUNT}); write the values out`);
  }
}

/** Where collections first nest deeper than MAX_DEPTH, walking the parser's tokens without recursion. */
function findExcessiveNesting(text: string): { line: number; col: number } | undefined {
  const lines = new LineCounter();
  const stack: { token: CST.Token | undefined; depth: number }[] = [];
  for (const token of new Parser(lines.addNewLine).parse(text)) stack.push({ token, depth: 0 });
  while (stack.length > 0) {
    const { token, depth } = stack.pop()!;
    if (!token) continue;
    if (token.type === 'document') {
      stack.push({ token: token.value, depth });
    } else if (token.type === 'block-map' || token.type === 'block-seq' || token.type === 'flow-collection') {
      if (depth + 1 > MAX_DEPTH) return lines.linePos(token.offset);
      for (const item of token.items) {
        if ('key' in item) stack.push({ token: item.key ?? undefined, depth: depth + 1 });
        stack.push({ token: item.value, depth: depth + 1 });
      }
    }
  }
  return undefined;
}
