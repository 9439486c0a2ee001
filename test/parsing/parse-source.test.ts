import { describe, expect, it } from 'vitest';
import { readArguments, readCallee, readConstructed, readJsString, readModuleName } from '../../src/parsing/javascript-syntax.js';
import { languageForPath, parseSource, withSyntaxTree } from '../../src/parsing/parse-source.js';
import { readCallArguments, readCalledName, readStringValue } from '../../src/parsing/python-syntax.js';
import { collectDescendants } from '../../src/parsing/syntax-tree.js';

const CALLS = new Set(['call', 'call_expression']);

describe('parsing room', () => {
  it('names the grammar of a file by its extension', () => {
    expect(['a.py', 'b.mjs', 'c.TS', 'd.tsx', 'e.cts', 'x/y.jsx', 'Makefile', 'x.d/y', '.py'].map(languageForPath)).toEqual([
      'python', 'javascript', 'typescript', 'tsx', 'typescript', 'javascript', undefined, undefined, undefined,
    ]);
  });

  it('parses Python and reads calls, keywords and strings', async () => {
    const found = await withSyntaxTree('python', 'op.add_column("users", nullable=False)\n# op.drop_table("x")\n', (tree) =>
      collectDescendants(tree.rootNode, CALLS).map((call) => {
        const { positional, keywords } = readCallArguments(call);
        return [readCalledName(call)?.object?.text, readCalledName(call)?.name, readStringValue(positional[0]), keywords.get('nullable')?.text];
      }),
    );
    expect(found).toEqual([['op', 'add_column', 'users', 'False']]);
  });

  it('parses JavaScript, TypeScript and TSX with their own grammars', async () => {
    const ts = "import { S3Client } from '@aws-sdk/client-s3';\nconst s3 = new S3Client({}) as S3Client;\nawait s3.deleteBucket(`b`);\n";
    for (const language of ['javascript', 'typescript', 'tsx'] as const) {
      const text = language === 'javascript' ? ts.replace(' as S3Client', '') : language === 'tsx' ? `${ts}const v = <div a={1} />;\n` : ts;
      const tree = await parseSource(language, text);
      try {
        expect(tree.rootNode.hasError).toBe(false);
        const call = collectDescendants(tree.rootNode, CALLS)[0];
        if (!call) throw new Error('no call found');
        expect([readCallee(call)?.receiver?.text, readCallee(call)?.name, readJsString(readArguments(call)[0])]).toEqual(['s3', 'deleteBucket', 'b']);
        const ctor = collectDescendants(tree.rootNode, new Set(['new_expression']))[0];
        expect(ctor && readConstructed(ctor)).toBe('S3Client');
        const imp = collectDescendants(tree.rootNode, new Set(['import_statement']))[0];
        expect(imp && readModuleName(imp)).toBe('@aws-sdk/client-s3');
      } finally {
        tree.delete();
      }
    }
  });

  it('a text with syntax errors still gives a tree', async () => {
    await withSyntaxTree('typescript', 'function (( { s3.deleteBucket(x) ', (tree) => {
      expect(tree.rootNode.hasError).toBe(true);
    });
  });
});
