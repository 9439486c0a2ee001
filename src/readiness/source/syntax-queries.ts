import type { Node } from 'web-tree-sitter';
import { readArguments, readCallee, readJsString } from '../../parsing/javascript-syntax.js';
import { withSyntaxTree, type SourceLanguage } from '../../parsing/parse-source.js';
import { readCallArguments, readCalledName } from '../../parsing/python-syntax.js';
import { collectDescendants, readLines } from '../../parsing/syntax-tree.js';

// Questions a reviewer asks of the code, answered from its syntax tree.

/** Lines of `except:` / `except Exception:` clauses whose whole body is `pass`, `...` or `continue`. */
export async function findSwallowedExceptions(text: string): Promise<number[]> {
  if (!text.includes('except')) return [];
  return withSyntaxTree('python', text, (tree) =>
    collectDescendants(tree.rootNode, new Set(['except_clause'])).flatMap((clause) => {
      const caught = clause.namedChildren.filter((c): c is Node => c !== null && c.type !== 'block' && c.type !== 'comment');
      const broad = caught.length === 0 || caught.every((c) => /^(?:Exception|BaseException)(?:\s+as\s+\w+)?$/.test(c.text.trim()));
      const body = clause.namedChildren.find((c) => c?.type === 'block');
      const statements = (body?.namedChildren ?? []).filter((c): c is Node => c !== null && c.type !== 'comment');
      const empty = statements.length > 0 && statements.every((s) => s.type === 'pass_statement' || s.type === 'continue_statement' || (s.type === 'expression_statement' && s.text.trim() === '...'));
      return broad && empty ? [readLines(clause).line] : [];
    }),
  );
}

/** Calls that create an in-memory queue with no bound: `asyncio.Queue()`, `queue.Queue(maxsize=0)`, `Queue()` imported from asyncio/queue. */
export async function findUnboundedQueues(text: string): Promise<{ line: number; bounded: boolean }[]> {
  if (!text.includes('Queue')) return [];
  const imported = /^[ \t]*from[ \t]+(?:asyncio|queue|multiprocessing)[ \t]+import[ \t][^\n]*\b(?:Queue|LifoQueue|PriorityQueue|JoinableQueue)\b/m.test(text);
  return withSyntaxTree('python', text, (tree) =>
    collectDescendants(tree.rootNode, new Set(['call'])).flatMap((call) => {
      const callee = readCalledName(call);
      if (!callee || !/^(?:Queue|LifoQueue|PriorityQueue|JoinableQueue)$/.test(callee.name)) return [];
      if (callee.object ? !/^(?:asyncio|queue|multiprocessing|mp)$/.test(callee.object.text) : !imported) return [];
      const { positional, keywords } = readCallArguments(call);
      const size = keywords.get('maxsize') ?? positional[0];
      return [{ line: readLines(call).line, bounded: size !== undefined && size.text.trim() !== '0' }];
    }),
  );
}

export interface SignalHandler {
  /** Line of the `process.on('SIGTERM', …)` call. */
  line: number;
  /** The handler closes something or exits; undefined when its code is elsewhere (imported). */
  stops: boolean | undefined;
  /** First and last line of the handler's code, when it is in this file. */
  span?: [number, number];
}

// What a handler does to stop: close servers and connections, or exit.
const STOPS = /\.(?:close|closeAll|end|disconnect|\$disconnect|quit|destroy|stop|shutdown|terminate|drain)\s*\(|\bprocess\.exit\s*\(|\b(?:shutdown|gracefulShutdown|stop|close|cleanup|exit|terminate)\w*\s*\(/i;

/** `process.on('SIGTERM', handler)` (or once/addListener) and what the handler does, read from the tree. */
export async function findSigtermHandlers(language: SourceLanguage, text: string): Promise<SignalHandler[]> {
  if (!text.includes('SIGTERM')) return [];
  return withSyntaxTree(language, text, (tree) => {
    const out: SignalHandler[] = [];
    const calls = collectDescendants(tree.rootNode, new Set(['call_expression']));
    for (const call of calls) {
      const callee = readCallee(call);
      if (!callee || !/^(?:on|once|addListener|prependListener|prependOnceListener)$/.test(callee.name) || callee.receiver?.text !== 'process') continue;
      const [signal, handler] = readArguments(call);
      if (readJsString(signal) !== 'SIGTERM' || !handler) continue;
      const body = handlerCode(tree.rootNode, handler);
      out.push({ line: readLines(call).line, stops: body ? STOPS.test(body.text) : undefined, ...(body ? { span: [readLines(body).line, readLines(body).lastLine] as [number, number] } : {}) });
    }
    return out;
  });
}

/** The function given as the handler: inline, or declared in the file under the name passed. */
function handlerCode(root: Node, handler: Node): Node | undefined {
  if (/function|arrow_function/.test(handler.type)) return handler;
  if (handler.type !== 'identifier') return undefined;
  const name = handler.text;
  for (const node of collectDescendants(root, new Set(['function_declaration', 'variable_declarator']))) {
    if (node.childForFieldName('name')?.text !== name) continue;
    if (node.type === 'function_declaration') return node;
    const value = node.childForFieldName('value');
    if (value && /function|arrow_function/.test(value.type)) return value;
  }
  return undefined;
}
