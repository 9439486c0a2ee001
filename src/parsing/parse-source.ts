import { createRequire } from 'node:module';
import type { Parser, Tree } from 'web-tree-sitter';

// One parsing room for guardrails and readiness: tree-sitter's grammars as WebAssembly (no native
// build). The runtime and each grammar load once, on the first file that needs them; a run that
// reads no code never loads them (nor the runtime's JavaScript).

export type SourceLanguage = 'python' | 'javascript' | 'typescript' | 'tsx';

const GRAMMARS: Record<SourceLanguage, string> = {
  python: 'tree-sitter-python/tree-sitter-python.wasm',
  javascript: 'tree-sitter-javascript/tree-sitter-javascript.wasm',
  typescript: 'tree-sitter-typescript/tree-sitter-typescript.wasm',
  tsx: 'tree-sitter-typescript/tree-sitter-tsx.wasm',
};

let runtime: Promise<void> | undefined;
const parsers = new Map<SourceLanguage, Promise<Parser>>();

/** The parser of one language, loaded on first use and kept. */
export function loadParser(language: SourceLanguage): Promise<Parser> {
  let loading = parsers.get(language);
  if (!loading) {
    loading = (async () => {
      const { Language, Parser } = await import('web-tree-sitter');
      runtime ??= Parser.init();
      await runtime;
      const require = createRequire(import.meta.url);
      const grammar = await Language.load(require.resolve(GRAMMARS[language]));
      const parser = new Parser();
      parser.setLanguage(grammar);
      return parser;
    })();
    parsers.set(language, loading);
  }
  return loading;
}

/**
 * The syntax tree of `text`. Trees live in WebAssembly memory: the caller deletes it
 * (`tree.delete()`), or uses withSyntaxTree, which does.
 */
export async function parseSource(language: SourceLanguage, text: string): Promise<Tree> {
  const parser = await loadParser(language);
  const tree = parser.parse(text);
  if (!tree) throw new Error(`tree-sitter returned no tree for a ${language} text of ${text.length} characters`);
  return tree;
}

/** Parses `text`, hands the tree to `use`, and frees the tree whatever `use` does. */
export async function withSyntaxTree<T>(language: SourceLanguage, text: string, use: (tree: Tree) => T | Promise<T>): Promise<T> {
  const tree = await parseSource(language, text);
  try {
    return await use(tree);
  } finally {
    tree.delete();
  }
}

/** Which grammar reads a file, by its extension; undefined when none does. */
export function languageForPath(file: string): SourceLanguage | undefined {
  const dot = file.lastIndexOf('.');
  const slash = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
  if (dot <= slash + 1) return undefined;
  return EXTENSIONS[file.slice(dot + 1).toLowerCase()];
}

const EXTENSIONS: Record<string, SourceLanguage> = {
  py: 'python',
  pyi: 'python',
  js: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  jsx: 'javascript',
  ts: 'typescript',
  mts: 'typescript',
  cts: 'typescript',
  tsx: 'tsx',
};
