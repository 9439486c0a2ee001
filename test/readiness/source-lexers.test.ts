import { describe, expect, it } from 'vitest';
import { lexSource } from '../../src/readiness/source/lex-source.js';

const lexJavaScript = (text: string) => lexSource('javascript', text);
const lexPython = (text: string) => lexSource('python', text);
import { lineAt, splitArguments, stringAt } from '../../src/readiness/source/lexed-source.js';

describe('tree-sitter lexing of JavaScript', () => {
  it('blanks comments and string contents but keeps offsets and lines', async () => {
    const text = "const a = 'x // not a comment'; // process.env.A\n/* process.on('SIGTERM') */ b();\n";
    const lexed = await lexJavaScript(text);
    expect(lexed.code).toHaveLength(text.length);
    expect(lexed.code).not.toContain('process');
    expect(lexed.code).toContain('b();');
    expect(lexed.code.split('\n')).toHaveLength(text.split('\n').length);
    expect(lexed.strings.map((s) => s.value)).toEqual(['x // not a comment']);
  });

  it('keeps template substitutions as code and marks the template as interpolated', async () => {
    const lexed = await lexJavaScript('const u = `${process.env.BASE_URL}/v1/${id}`;\n');
    expect(lexed.code).toContain('process.env.BASE_URL');
    expect(lexed.strings).toHaveLength(1);
    expect(lexed.strings[0]?.interpolated).toBe(true);
  });

  it('handles nested templates and object literals inside substitutions', async () => {
    const text = 'x = `a ${ {k: `in ${v}`}.k } b`; process.env.AFTER;';
    const lexed = await lexJavaScript(text);
    expect(lexed.code).toContain('process.env.AFTER');
    expect(lexed.code).toContain('{k:');
  });

  it('tells a regular expression from a division', async () => {
    const lexed = await lexJavaScript("const re = /'SIGTERM'/g; const half = a / 2; process.on('x');\n");
    expect(lexed.strings.map((s) => s.value)).toEqual(['x']);
    expect(lexed.code).toContain('a / 2');
  });

  it('finds the string at an offset and the line of an offset', async () => {
    const text = "a();\nfoo(  'bar');\n";
    const lexed = await lexJavaScript(text);
    const open = lexed.code.indexOf('(', 5);
    expect(stringAt(lexed, open + 1)?.value).toBe('bar');
    expect(lineAt(lexed, open)).toBe(2);
  });

  it('splits call arguments at the top level only', async () => {
    const lexed = await lexJavaScript("fetch(url, { headers: { a: 1 }, signal }, [1, 2]);");
    const args = splitArguments(lexed.code, lexed.code.indexOf('('));
    expect(args.map((a) => a.code)).toEqual(['url', '{ headers: { a: 1 }, signal }', '[1, 2]']);
  });
});

describe('tree-sitter lexing of Python', () => {
  it('blanks comments, docstrings and prefixed strings', async () => {
    const text = '"""Module doc: signal.signal(signal.SIGTERM)"""\nx = rb\'\\d\'  # os.environ["A"]\ny = f"{os.getenv(\'B\')}"\n';
    const lexed = await lexPython(text);
    expect(lexed.code).not.toContain('SIGTERM');
    expect(lexed.code).not.toContain('environ');
    expect(lexed.strings.map((s) => s.interpolated)).toEqual([false, false, true]);
    expect(lexed.strings[1]?.value).toBe('\\d');
  });

  it('does not take the end of a name for a string prefix', async () => {
    const lexed = await lexPython("buffer = 1\nelif_ = 'x'\n");
    expect(lexed.strings.map((s) => s.value)).toEqual(['x']);
    expect(lexed.code).toContain('buffer = 1');
  });
});
