import type { Node } from 'web-tree-sitter';
import { withSyntaxTree, type SourceLanguage } from '../../parsing/parse-source.js';
import { computeLineStarts, unescapeString, type LexedSource, type StringToken } from './lexed-source.js';

/**
 * A source file seen as code, from its tree-sitter syntax tree: comments, string contents, regular
 * expressions and JSX text blanked (same offsets and lines), string literals listed with their
 * values. JavaScript template substitutions stay code; Python f-string fields are part of the string.
 */
export async function lexSource(language: SourceLanguage, text: string): Promise<LexedSource> {
  return withSyntaxTree(language, text, (tree) => (language === 'python' ? readPython(tree.rootNode, text) : readJavaScript(tree.rootNode, text)));
}

function readJavaScript(root: Node, text: string): LexedSource {
  const blanks: Array<[number, number]> = [];
  const strings: StringToken[] = [];
  for (const node of root.descendantsOfType(JS_TYPES)) {
    if (!node) continue;
    switch (node.type) {
      case 'comment':
      case 'jsx_text':
      case 'regex_pattern':
      case 'html_comment':
        blanks.push([node.startIndex, node.endIndex]);
        break;
      case 'string':
        if (node.endIndex - node.startIndex >= 2) {
          blanks.push([node.startIndex + 1, node.endIndex - 1]);
          strings.push({ start: node.startIndex, end: node.endIndex, value: unescapeString(text.slice(node.startIndex + 1, node.endIndex - 1)), interpolated: false });
        }
        break;
      case 'template_string': {
        let interpolated = false;
        for (const child of node.namedChildren) {
          if (!child) continue;
          if (child.type === 'template_substitution') interpolated = true;
          else blanks.push([child.startIndex, child.endIndex]);
        }
        strings.push({ start: node.startIndex, end: node.endIndex, value: text.slice(node.startIndex + 1, node.endIndex - 1), interpolated });
        break;
      }
      default:
        break;
    }
  }
  return build(text, blanks, strings);
}

// The nodes that are not code; found inside the WebAssembly module, not by walking every node here.
const JS_TYPES = ['comment', 'jsx_text', 'regex_pattern', 'html_comment', 'string', 'template_string'];
const PYTHON_TYPES = ['comment', 'string'];

function readPython(root: Node, text: string): LexedSource {
  const blanks: Array<[number, number]> = [];
  const strings: StringToken[] = [];
  let insideUntil = -1;
  const nodes = root.descendantsOfType(PYTHON_TYPES).filter((n): n is Node => n !== null);
  nodes.sort((a, b) => a.startIndex - b.startIndex);
  for (const node of nodes) {
    if (node.startIndex < insideUntil) continue;
    if (node.type === 'comment') {
      blanks.push([node.startIndex, node.endIndex]);
      continue;
    }
    insideUntil = node.endIndex;
    const children = node.children.filter((c): c is Node => c !== null);
    const open = children.find((c) => c.type === 'string_start');
    const close = children.find((c) => c.type === 'string_end');
    const from = open?.endIndex ?? node.startIndex;
    const to = close?.startIndex ?? node.endIndex;
    blanks.push([from, to]);
    const raw = /r/i.test(open?.text.replace(/["']/g, '') ?? '');
    const inner = text.slice(from, to);
    strings.push({
      start: node.startIndex,
      end: node.endIndex,
      value: raw ? inner : unescapeString(inner),
      interpolated: children.some((c) => c.type === 'interpolation') || node.descendantsOfType('interpolation').length > 0,
    });
  }
  return build(text, blanks, strings);
}

function build(text: string, blanks: Array<[number, number]>, strings: StringToken[]): LexedSource {
  blanks.sort((a, b) => a[0] - b[0]);
  const parts: string[] = [];
  let at = 0;
  for (const [start, end] of blanks) {
    const s = Math.max(start, at);
    if (end <= s) continue;
    parts.push(text.slice(at, s), text.slice(s, end).replace(/[^\n]/g, ' '));
    at = end;
  }
  parts.push(text.slice(at));
  strings.sort((a, b) => a.start - b.start);
  return { text, code: parts.join(''), strings, lineStarts: computeLineStarts(text) };
}
