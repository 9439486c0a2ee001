import type { Node } from 'web-tree-sitter';

// Small questions asked of any syntax tree, whatever its language.

/** Every node of one of `types` under `root` (itself included), in source order. */
export function collectDescendants(root: Node, types: ReadonlySet<string>): Node[] {
  const found: Node[] = [];
  walkNodes(root, (node) => {
    if (types.has(node.type)) found.push(node);
  });
  return found;
}

/** Visits `root` and every node under it in source order, with one cursor (no recursion). */
export function walkNodes(root: Node, visit: (node: Node) => void): void {
  const cursor = root.walk();
  try {
    for (;;) {
      visit(cursor.currentNode);
      if (cursor.gotoFirstChild()) continue;
      for (;;) {
        if (cursor.currentNode.equals(root)) return;
        if (cursor.gotoNextSibling()) break;
        if (!cursor.gotoParent()) return;
      }
    }
  } finally {
    cursor.delete();
  }
}

/** The nearest ancestor of one of `types`, or undefined. */
export function findAncestor(node: Node, types: ReadonlySet<string>): Node | undefined {
  for (let n = node.parent; n; n = n.parent) if (types.has(n.type)) return n;
  return undefined;
}

/** 1-based first and last line of a node. */
export function readLines(node: Node): { line: number; lastLine: number } {
  return { line: node.startPosition.row + 1, lastLine: node.endPosition.row + 1 };
}
