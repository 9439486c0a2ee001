import type { Node, Tree } from 'web-tree-sitter';
import { readCallee, readConstructed, readModuleName, stripParentheses } from '../../parsing/javascript-syntax.js';
import { type SourceLanguage, withSyntaxTree } from '../../parsing/parse-source.js';
import { collectDescendants, readLines } from '../../parsing/syntax-tree.js';
import type { Finding } from '../finding.js';
import { type MarkerLine, SAFETY_MARKER, isAloneOnLine, readMarkerNote } from '../safety-marker.js';
import { type CodeScanInput, buildCodeMatchers, makeCallFindings } from './code-matchers.js';
import { type ExecShell, readJsExec } from './exec-strings.js';
import { scanShellPieces } from './scan-shell.js';
import { isInListingLoop } from './delete-loops.js';

// JavaScript/TypeScript read as syntax trees: comments, strings, templates and regular expressions
// are never calls. S3 rules go by receiver, not by name: `x.deleteBucket()` is flagged only when
// `x` can be seen to be an S3 client (`new S3Client`, `new S3`, `new AWS.S3`, from
// @aws-sdk/client-s3 or aws-sdk), and `new DeleteBucketCommand()` only when the class is S3's.

const S3_MODULES = new Set(['@aws-sdk/client-s3', 'aws-sdk', 'aws-sdk/clients/s3', 'aws-sdk/clients/all']);
/** Classes that make an S3 client when they come from an S3 module. */
const CLIENT_CLASSES = new Set(['S3Client', 'S3']);
const INDEXED = new Set([
  'import_statement', 'variable_declarator', 'assignment_expression', 'public_field_definition', 'field_definition',
  'required_parameter', 'optional_parameter', 'call_expression', 'new_expression', 'comment',
]);

/** Where a name used in the file comes from: an import or require of a module, or a local declaration. */
interface Origin {
  module?: string;
  /** The exported name (`import { S3Client as C }` gives S3Client); '*' for a namespace or default. */
  imported: string;
}

interface JsFile {
  origins: Map<string, Origin>;
  /** Receivers (`s3`, `this.s3`) bound to an S3 client. */
  clients: Set<string>;
  calls: Node[];
  constructions: Node[];
  markers: MarkerLine[];
}

/** SDK v3 commands (`new DeleteBucketCommand(`) and S3 client methods (`s3.deleteBucket(`). */
export async function scanJavaScript(input: CodeScanInput, language: SourceLanguage): Promise<Finding[]> {
  const matchers = buildCodeMatchers(input.rules);
  if (matchers.jsConstructors.size === 0 && matchers.jsMethods.size === 0) return [];
  // Only a file that mentions a rule's name is parsed.
  const names = [...matchers.jsConstructors.keys(), ...matchers.jsMethods.keys(), ...matchers.cliPrograms];
  if (!names.some((n) => input.text.includes(n))) return [];
  return withSyntaxTree(language, input.text, (tree) => {
    const js = indexJavaScript(tree, input.text);
    const findings: Finding[] = [];
    for (const node of js.constructions) {
      const ctor = readConstructed(node);
      const name = ctor?.split('.').pop() ?? '';
      const rules = matchers.jsConstructors.get(name);
      if (!rules || !ctor || !isS3Class(js, ctor)) continue;
      findings.push(...makeCallFindings(input, rules, { ...readLines(node), code: node.text, inListingLoop: isInListingLoop(node, 'javascript') }, js.markers));
    }
    for (const call of js.calls) {
      const callee = readCallee(call);
      const rules = callee ? matchers.jsMethods.get(callee.name) : undefined;
      if (!rules || !callee?.receiver || !isS3Client(js, callee.receiver)) continue;
      findings.push(...makeCallFindings(input, rules, { ...readLines(call), code: call.text, inListingLoop: isInListingLoop(call, 'javascript') }, js.markers));
    }
    const exec: ExecShell = { pieces: [], commands: [] };
    for (const call of js.calls) readJsExec(call, exec);
    if (exec.pieces.length + exec.commands.length > 0) findings.push(...scanShellPieces(input, exec.pieces, exec.commands, js.markers));
    return findings.sort((a, b) => a.line - b.line);
  });
}

function indexJavaScript(tree: Tree, text: string): JsFile {
  const js: JsFile = { origins: new Map(), clients: new Set(), calls: [], constructions: [], markers: [] };
  const nodes = collectDescendants(tree.rootNode, INDEXED);
  const bindings: [string, Node | undefined, Node | undefined][] = [];
  for (const node of nodes) {
    switch (node.type) {
      case 'import_statement':
        readImport(node, js.origins);
        break;
      case 'comment':
        if (SAFETY_MARKER.test(node.text)) {
          js.markers.push({ line: node.startPosition.row + 1, commentOnly: isAloneOnLine(text, node.startIndex, node.endIndex), note: readMarkerNote(node.text) });
        }
        break;
      case 'call_expression':
        js.calls.push(node);
        break;
      case 'new_expression':
        js.constructions.push(node);
        break;
      case 'variable_declarator': {
        const name = node.childForFieldName('name');
        const value = node.childForFieldName('value');
        if (name?.type === 'object_pattern' && value) readRequirePattern(name, value, js.origins);
        else if (name?.type === 'identifier') {
          if (value && readModuleName(stripParentheses(value))) js.origins.set(name.text, { module: readModuleName(stripParentheses(value)) ?? '', imported: '*' });
          else if (!js.origins.has(name.text)) js.origins.set(name.text, { imported: name.text });
          bindings.push([name.text, value ?? undefined, node.childForFieldName('type') ?? undefined]);
        }
        break;
      }
      case 'assignment_expression':
        bindings.push([node.childForFieldName('left')?.text ?? '', node.childForFieldName('right') ?? undefined, undefined]);
        break;
      case 'public_field_definition':
      case 'field_definition': {
        const name = node.childForFieldName('name') ?? node.childForFieldName('property');
        if (name) bindings.push([`this.${name.text}`, node.childForFieldName('value') ?? undefined, node.childForFieldName('type') ?? undefined]);
        break;
      }
      default: {
        // TypeScript parameters: `s3: S3Client`, `private readonly s3: S3Client` (a field too).
        const pattern = node.childForFieldName('pattern');
        const type = node.childForFieldName('type') ?? undefined;
        if (pattern?.type !== 'identifier' || !type) break;
        bindings.push([pattern.text, undefined, type]);
        if (node.namedChildren.some((c) => c?.type === 'accessibility_modifier' || c?.text === 'readonly')) bindings.push([`this.${pattern.text}`, undefined, type]);
      }
    }
  }
  // Twice, so that `a = new S3Client(); b = a` binds both whatever the order.
  for (let pass = 0; pass < 2; pass++) {
    for (const [key, value, type] of bindings) {
      if (!key) continue;
      if ((value && isS3Client(js, value)) || (type && isS3Type(js, type))) js.clients.add(normalizeReceiver(key));
    }
  }
  return js;
}

function readImport(node: Node, origins: Map<string, Origin>): void {
  const module = readModuleName(node);
  if (!module) return;
  for (const spec of collectDescendants(node, new Set(['import_specifier', 'namespace_import', 'import_clause']))) {
    if (spec.type === 'import_specifier') {
      const name = spec.childForFieldName('name')?.text ?? '';
      origins.set(spec.childForFieldName('alias')?.text ?? name, { module, imported: name });
    } else if (spec.type === 'namespace_import') {
      const local = spec.namedChildren.find((c) => c?.type === 'identifier');
      if (local) origins.set(local.text, { module, imported: '*' });
    } else {
      const local = spec.namedChildren.find((c) => c?.type === 'identifier');
      if (local) origins.set(local.text, { module, imported: module === 'aws-sdk/clients/s3' ? 'S3' : '*' });
    }
  }
}

/** `const { S3, DeleteBucketCommand: Del } = require('…')`. */
function readRequirePattern(pattern: Node, value: Node, origins: Map<string, Origin>): void {
  const module = readModuleName(stripParentheses(value));
  if (!module) return;
  for (const prop of pattern.namedChildren) {
    if (prop?.type === 'shorthand_property_identifier_pattern') origins.set(prop.text, { module, imported: prop.text });
    else if (prop?.type === 'pair_pattern') {
      const key = prop.childForFieldName('key')?.text;
      const local = prop.childForFieldName('value');
      if (key && local?.type === 'identifier') origins.set(local.text, { module, imported: key });
    }
  }
}

/** Whether an expression is an S3 client: a `new` of an S3 client class, or a name bound to one. */
function isS3Client(js: JsFile, expression: Node): boolean {
  const node = stripParentheses(expression);
  if (node.type === 'new_expression') {
    const ctor = readConstructed(node);
    return ctor !== undefined && isS3ClientClass(js, ctor);
  }
  // `options.s3 || new AWS.S3()`, `cond ? new S3Client(a) : new S3Client(b)`
  if (node.type === 'binary_expression' || node.type === 'ternary_expression') {
    return node.namedChildren.some((c) => c !== null && c.type !== 'comment' && isS3Client(js, c));
  }
  return js.clients.has(normalizeReceiver(node.text));
}

/** `self.s3` and `that.s3` (aliases of `this` in older code) read as `this.s3`. */
function normalizeReceiver(text: string): string {
  return text.replace(/^(self|that|_this|_self|me)\./, 'this.');
}

function isS3Type(js: JsFile, typeAnnotation: Node): boolean {
  const type = typeAnnotation.text.replace(/^:\s*/, '').trim();
  return isS3ClientClass(js, type);
}

/** `S3Client`, `S3`, `AWS.S3`, `s3sdk.S3Client`, `S3` default-imported from aws-sdk/clients/s3. */
function isS3ClientClass(js: JsFile, name: string): boolean {
  const parts = name.split('.');
  const head = parts[0] ?? '';
  const last = parts[parts.length - 1] ?? '';
  const origin = js.origins.get(head);
  if (parts.length === 1) {
    // Imported under any local name; not imported here (a global, a script): S3Client is S3's name, a bare S3 could be anything.
    if (origin?.module) return S3_MODULES.has(origin.module) && CLIENT_CLASSES.has(origin.imported);
    return last === 'S3Client' && !origin;
  }
  if (!CLIENT_CLASSES.has(last)) return false;
  if (origin?.module) return S3_MODULES.has(origin.module);
  return head === 'AWS' && !origin;
}

/** A command class is S3's when it is imported from @aws-sdk/client-s3 (or read off it), or comes from nowhere in the file. */
function isS3Class(js: JsFile, ctor: string): boolean {
  const parts = ctor.split('.');
  const origin = js.origins.get(parts[0] ?? '');
  if (!origin) return true;
  return origin.module !== undefined && S3_MODULES.has(origin.module);
}
