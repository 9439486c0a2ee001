import type { Node, Tree } from 'web-tree-sitter';
import type { Finding } from '../finding.js';
import { type MarkerLine, SAFETY_MARKER, isAloneOnLine } from '../safety-marker.js';
import { type CodeScanInput, makeCallFindings, buildCodeMatchers } from './code-matchers.js';
import { readCalledName, collectDescendants } from './python-parser.js';

const CALLS_AND_COMMENTS = new Set(['call', 'comment']);

export interface PythonFile {
  tree: Tree;
  calls: Node[];
  markers: MarkerLine[];
}

/** The calls and `safety-exception` comments of a parsed Python file (comments and strings are never calls). */
export function indexPythonFile(tree: Tree, text: string): PythonFile {
  const calls: Node[] = [];
  const markers: MarkerLine[] = [];
  for (const node of collectDescendants(tree.rootNode, CALLS_AND_COMMENTS)) {
    if (node.type === 'call') calls.push(node);
    else if (SAFETY_MARKER.test(node.text)) {
      markers.push({ line: node.startPosition.row + 1, commentOnly: isAloneOnLine(text, node.startIndex, node.endIndex) });
    }
  }
  return { tree, calls, markers };
}

/** boto3 (and user-listed) method calls: `s3.delete_bucket(...)`, never a def or a similarly named method. */
export function scanPythonCalls(input: CodeScanInput, py: PythonFile): Finding[] {
  const matchers = buildCodeMatchers(input.rules);
  if (matchers.pythonMethods.size === 0) return [];
  const findings: Finding[] = [];
  for (const call of py.calls) {
    const called = readCalledName(call);
    if (!called?.object) continue;
    const rules = matchers.pythonMethods.get(called.name);
    if (!rules) continue;
    findings.push(
      ...makeCallFindings(input, rules, { line: call.startPosition.row + 1, lastLine: call.endPosition.row + 1, code: call.text }, py.markers),
    );
  }
  return findings;
}
