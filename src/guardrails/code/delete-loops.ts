import type { Node } from 'web-tree-sitter';

// One-object deletes inside a loop over a bucket listing delete as many objects as the listing
// holds (an empty prefix: all of them), one call at a time.

const LISTING = /list_objects|list_object_versions|\.objects\b|\.object_versions\b|paginat|Contents|Versions|listObjects|ListObjects|DeleteMarkers/;
const PYTHON_LOOPS = new Set(['for_statement', 'list_comprehension', 'generator_expression']);
const JS_LOOPS = new Set(['for_in_statement', 'for_statement']);
const JS_ITERATORS = new Set(['forEach', 'map', 'flatMap', 'all']);

/** Whether a delete call sits in a loop whose iterable is an S3 listing. */
export function isInListingLoop(call: Node, language: 'python' | 'javascript'): boolean {
  for (let n = call.parent; n; n = n.parent) {
    if (n.type === 'function_definition' || n.type === 'class_definition') return false;
    if (language === 'python' && PYTHON_LOOPS.has(n.type)) {
      const iterable = n.childForFieldName('right') ?? n.namedChildren.find((c) => c?.type === 'for_in_clause')?.childForFieldName('right');
      if (iterable && LISTING.test(iterable.text)) return true;
    }
    if (language === 'javascript') {
      if (JS_LOOPS.has(n.type)) {
        const header = n.childForFieldName('right') ?? n.childForFieldName('condition');
        if (header && LISTING.test(header.text)) return true;
      }
      if (n.type === 'call_expression') {
        const fn = n.childForFieldName('function');
        const name = fn?.type === 'member_expression' ? fn.childForFieldName('property')?.text : undefined;
        if (name && JS_ITERATORS.has(name) && LISTING.test(fn?.childForFieldName('object')?.text ?? '')) return true;
      }
    }
  }
  return false;
}
