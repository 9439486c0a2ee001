import type { Node } from 'web-tree-sitter';
import { readArguments, readCallee } from '../../parsing/javascript-syntax.js';
import { readCallArguments, readCalledName } from '../../parsing/python-syntax.js';
import type { ShellPiece, ShellWord } from './scan-shell.js';

// Shell commands handed to a process from code: os.system("aws s3 rb ..."), subprocess.run([...]),
// execSync(`aws s3 rm ... --recursive`), execa('aws', ['s3', 'rb', ...]), $`aws s3 rm ...`.

const PYTHON_EXEC = new Set(['system', 'popen', 'run', 'call', 'check_call', 'check_output', 'Popen', 'getoutput', 'getstatusoutput']);
const JS_EXEC = new Set([
  'exec', 'execSync', 'spawn', 'spawnSync', 'execFile', 'execFileSync', 'execa', 'execaSync', 'execaCommand', 'execaCommandSync',
  'command', 'commandSync', '$',
]);

export interface ExecShell {
  pieces: ShellPiece[];
  commands: ShellWord[][];
}

/** The shell text or words a Python call runs, when it runs one. */
export function readPythonExec(call: Node, source: string, into: ExecShell): void {
  const called = readCalledName(call);
  if (!called || !PYTHON_EXEC.has(called.name)) return;
  const first = readCallArguments(call).positional[0];
  if (!first) return;
  const value = first.type === 'call' && readCalledName(first)?.name === 'split' ? readCalledName(first)?.object : first;
  if (value?.type === 'string') {
    const piece = readQuotedPiece(value, source);
    if (piece) into.pieces.push(piece);
  } else if (value?.type === 'list' || value?.type === 'tuple') {
    const words = readWords(value.namedChildren, 'string');
    if (words) into.commands.push(words);
  }
}

/** The shell text or words a JavaScript/TypeScript call runs, when it runs one. */
export function readJsExec(call: Node, into: ExecShell): void {
  const callee = readCallee(call);
  if (!callee || !JS_EXEC.has(callee.name)) return;
  const tagged = call.childForFieldName('arguments');
  if (tagged?.type === 'template_string') {
    into.pieces.push({ text: tagged.text.slice(1, -1), base: tagged.startIndex + 1 });
    return;
  }
  const [first, second] = readArguments(call);
  if (!first || (first.type !== 'string' && first.type !== 'template_string')) return;
  if (second?.type === 'array') {
    const words = readWords([first, ...second.namedChildren], 'any');
    if (words) into.commands.push(words);
    return;
  }
  into.pieces.push({ text: first.text.slice(1, -1), base: first.startIndex + 1 });
}

/** A Python string's text between its quotes (f-string parts kept as written). */
function readQuotedPiece(node: Node, source: string): ShellPiece | undefined {
  const start = node.namedChildren.find((c) => c?.type === 'string_start');
  const end = node.namedChildren.find((c) => c?.type === 'string_end');
  if (!start || !end) return undefined;
  return { text: source.slice(start.endIndex, end.startIndex), base: start.endIndex };
}

/** Literal words of an argument list (`["aws", "s3", "rb", bucket]`: a non-literal becomes a placeholder). */
function readWords(nodes: (Node | null)[], kind: 'string' | 'any'): ShellWord[] | undefined {
  const words: ShellWord[] = [];
  for (const n of nodes) {
    if (!n || n.type === 'comment') continue;
    const literal = n.type === 'string' || (kind === 'any' && n.type === 'template_string');
    const text = literal ? n.text.replace(/^[a-zA-Z]*(['"`])|(['"`])$/g, '') : '$VALUE';
    words.push({ text, start: n.startIndex, end: n.endIndex });
  }
  return words.length > 0 ? words : undefined;
}
