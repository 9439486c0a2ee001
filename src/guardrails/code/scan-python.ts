import type { Node, Tree } from 'web-tree-sitter';
import type { Finding } from '../finding.js';
import { type MarkerLine, SAFETY_MARKER, isAloneOnLine } from '../safety-marker.js';
import { type CodeScanInput, buildCodeMatchers, makeCallFindings } from './code-matchers.js';
import { readCalledName } from '../../parsing/python-syntax.js';
import { collectDescendants } from '../../parsing/syntax-tree.js';

const INDEXED = new Set(['call', 'comment', 'assignment']);
const COLLECTION_CALLS = new Set(['all', 'filter', 'limit', 'page_size']);

type Resource = 'bucket' | 'object' | 'objects';

export interface PythonFile {
  tree: Tree;
  calls: Node[];
  assignments: Node[];
  markers: MarkerLine[];
}

/** The calls, assignments and `safety-exception` comments of a parsed Python file (comments and strings are never calls). */
export function indexPythonFile(tree: Tree, text: string): PythonFile {
  const file: PythonFile = { tree, calls: [], assignments: [], markers: [] };
  for (const node of collectDescendants(tree.rootNode, INDEXED)) {
    if (node.type === 'call') file.calls.push(node);
    else if (node.type === 'assignment') file.assignments.push(node);
    else if (SAFETY_MARKER.test(node.text)) {
      file.markers.push({ line: node.startPosition.row + 1, commentOnly: isAloneOnLine(text, node.startIndex, node.endIndex) });
    }
  }
  return file;
}

/**
 * boto3 calls: client methods (`s3.delete_bucket(...)`, never a def or a similarly named method)
 * and `.delete()` on resources known to be S3 ones (`s3.Bucket(b)`, a name bound to one, its
 * `objects` collections); `User.objects.all().delete()` is someone else's ORM.
 */
export function scanPythonCalls(input: CodeScanInput, py: PythonFile): Finding[] {
  const matchers = buildCodeMatchers(input.rules);
  if (matchers.pythonMethods.size === 0 && matchers.pythonResource.size === 0) return [];
  const bindings = bindResources(py);
  const findings: Finding[] = [];
  for (const call of py.calls) {
    const called = readCalledName(call);
    if (!called?.object) continue;
    let rules = matchers.pythonMethods.get(called.name);
    if (!rules && called.name === 'delete') {
      const resource = resourceOf(called.object, bindings);
      rules = resource ? matchers.pythonResource.get(resource) : undefined;
    }
    if (!rules) continue;
    const at = { line: call.startPosition.row + 1, lastLine: call.endPosition.row + 1, code: call.text };
    findings.push(...makeCallFindings(input, rules, at, py.markers));
  }
  return findings;
}

/** Names (`bucket`, `self.bucket`) assigned an S3 resource anywhere in the file. */
function bindResources(py: PythonFile): Map<string, Resource> {
  const bindings = new Map<string, Resource>();
  // Twice, so that `b = s3.Bucket(n)` then `objs = b.objects.all()` binds both whatever the order.
  for (let pass = 0; pass < 2; pass++) {
    for (const a of py.assignments) {
      const left = a.childForFieldName('left');
      const right = a.childForFieldName('right');
      if (!left || !right || (left.type !== 'identifier' && left.type !== 'attribute')) continue;
      const resource = resourceOf(right, bindings);
      if (resource) bindings.set(left.text, resource);
    }
  }
  return bindings;
}

function resourceOf(node: Node, bindings: Map<string, Resource>): Resource | undefined {
  if (node.type === 'identifier' || (node.type === 'attribute' && !isCollection(node))) {
    const bound = bindings.get(node.text);
    if (bound) return bound;
  }
  if (node.type === 'attribute' && isCollection(node)) {
    const owner = node.childForFieldName('object');
    return owner && resourceOf(owner, bindings) === 'bucket' ? 'objects' : undefined;
  }
  if (node.type === 'call') {
    const called = readCalledName(node);
    if (!called?.object) return undefined;
    if (called.name === 'Bucket') return 'bucket';
    if (called.name === 'Object' || called.name === 'ObjectVersion') return 'object';
    if (COLLECTION_CALLS.has(called.name)) return resourceOf(called.object, bindings) === 'objects' ? 'objects' : undefined;
  }
  return undefined;
}

function isCollection(node: Node): boolean {
  const name = node.childForFieldName('attribute')?.text;
  return name === 'objects' || name === 'object_versions';
}
