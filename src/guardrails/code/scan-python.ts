import type { Node, Tree } from 'web-tree-sitter';
import type { Finding } from '../finding.js';
import { type MarkerLine, SAFETY_MARKER, isAloneOnLine, readMarkerNote } from '../safety-marker.js';
import { type CodeScanInput, buildCodeMatchers, makeCallFindings } from './code-matchers.js';
import { type ExecShell, readPythonExec } from './exec-strings.js';
import { scanShellPieces } from './scan-shell.js';
import { isInListingLoop } from './delete-loops.js';
import { readCallArguments, readCalledName, readStringValue } from '../../parsing/python-syntax.js';
import { collectDescendants } from '../../parsing/syntax-tree.js';

const INDEXED = new Set(['call', 'comment', 'assignment', 'for_statement']);
const COLLECTION_CALLS = new Set(['all', 'filter', 'limit', 'page_size']);

type Resource = 'bucket' | 'object' | 'objects';

export interface PythonFile {
  tree: Tree;
  calls: Node[];
  assignments: Node[];
  /** for loops: their variable is bound to what they iterate (`for obj in bucket.objects.all()`). */
  loops: Node[];
  markers: MarkerLine[];
}

/** The calls, assignments and `safety-exception` comments of a parsed Python file (comments and strings are never calls). */
export function indexPythonFile(tree: Tree, text: string): PythonFile {
  const file: PythonFile = { tree, calls: [], assignments: [], loops: [], markers: [] };
  for (const node of collectDescendants(tree.rootNode, INDEXED)) {
    if (node.type === 'call') file.calls.push(node);
    else if (node.type === 'assignment') file.assignments.push(node);
    else if (node.type === 'for_statement') file.loops.push(node);
    else if (SAFETY_MARKER.test(node.text)) {
      file.markers.push({ line: node.startPosition.row + 1, commentOnly: isAloneOnLine(text, node.startIndex, node.endIndex), note: readMarkerNote(node.text) });
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
  const exec: ExecShell = { pieces: [], commands: [] };
  for (const call of py.calls) readPythonExec(call, input.text, exec);
  const findings = exec.pieces.length + exec.commands.length > 0 ? scanShellPieces(input, exec.pieces, exec.commands, py.markers) : [];
  if (matchers.pythonMethods.size === 0 && matchers.pythonResource.size === 0) return findings;
  const bindings = bindResources(py);
  const clients = bindClients(py);
  for (const call of py.calls) {
    const called = readCalledName(call);
    if (!called?.object) continue;
    let rules = matchers.pythonMethods.get(called.name);
    if (rules && !isS3ClientCall(call, called.object, clients)) rules = undefined;
    if (!rules && called.name === 'delete') {
      const resource = resourceOf(called.object, bindings);
      rules = resource ? matchers.pythonResource.get(resource) : undefined;
    }
    if (!rules) continue;
    const at = { line: call.startPosition.row + 1, lastLine: call.endPosition.row + 1, code: call.text, inListingLoop: isInListingLoop(call, 'python') };
    findings.push(...makeCallFindings(input, rules, at, py.markers));
  }
  return findings;
}

/**
 * A client method call is S3's when its receiver was made by `.client("s3")` (or is an S3
 * resource's `meta.client`), and not when it was made for another service; an unknown receiver
 * counts when the call passes boto3's `Bucket=` (libcloud's `driver.delete_object(obj)` does not).
 */
function isS3ClientCall(call: Node, receiver: Node, clients: Map<string, boolean>): boolean {
  const known = clients.get(receiver.text) ?? (receiver.type === 'call' ? madeForS3(receiver) : undefined);
  if (known !== undefined) return known;
  if (receiver.type === 'attribute' && receiver.childForFieldName('attribute')?.text === 'client' && /\.meta$/.test(receiver.childForFieldName('object')?.text ?? '')) return true;
  return readCallArguments(call).keywords.has('Bucket');
}

/** Names assigned a `.client(...)`: true when it is an S3 client, false for another service. */
function bindClients(py: PythonFile): Map<string, boolean> {
  const clients = new Map<string, boolean>();
  for (const a of py.assignments) {
    const left = a.childForFieldName('left');
    const right = a.childForFieldName('right');
    const made = right?.type === 'call' ? madeForS3(right) : undefined;
    if (left && made !== undefined) clients.set(left.text, made);
  }
  return clients;
}

/** `boto3.client("s3")` gives true, `session.client("lightsail")` false, anything else undefined. */
function madeForS3(call: Node): boolean | undefined {
  const called = readCalledName(call);
  if (called?.name !== 'client' || !called.object) return undefined;
  const { positional, keywords } = readCallArguments(call);
  const service = readStringValue(keywords.get('service_name') ?? positional[0]);
  return service === undefined ? undefined : service === 's3';
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
    // `for obj in bucket.objects.all():` makes obj one object of the bucket.
    for (const loop of py.loops) {
      const left = loop.childForFieldName('left');
      const right = loop.childForFieldName('right');
      if (left?.type === 'identifier' && right && resourceOf(right, bindings) === 'objects') bindings.set(left.text, 'object');
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
