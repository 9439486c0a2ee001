import { hugeString, type FileKind, type FuzzCase } from './fuzz-case.js';
import type { Rng } from './prng.js';
import { billionLaughs, nestedYaml } from './write-yaml.js';

export interface YamlBase {
  text: string;
  /** Cutting the text anywhere before this offset leaves it invalid (a required value is cut). */
  cutBefore(text: string): number;
}

const ALIAS = /alias/i;
const NESTED = /nested deeper than \d+ levels/;
const DUPLICATE = /unique/i;
const TOO_BIG = /at most 1 MB/;

/** What every YAML file must survive: alias bombs, duplicate keys, deep nesting, broken syntax, cuts. */
export function generateYamlCases(rng: Rng, kind: FileKind, repeat: number, makeBase: () => YamlBase): FuzzCase[] {
  const cases: FuzzCase[] = [];
  const add = (category: string, what: string, content: string | Buffer, valid: boolean, expect?: RegExp): void => {
    cases.push({ category, kind, what, content, valid, ...(expect ? { expect } : {}) });
  };
  const text = (): string => makeBase().text;
  // A line inserted at a random line boundary of the top-level mapping (never inside a value).
  const append = (yaml: string, extra: string): string => `${yaml}${yaml.endsWith('\n') ? '' : '\n'}${extra}`;

  for (let r = 0; r < repeat; r++) {
    add('yaml-aliases', 'a billion laughs (9 levels)', append(text(), billionLaughs(9)), false, ALIAS);
    add('yaml-aliases', 'a billion laughs as the whole file', billionLaughs(rng.between(4, 12)), false, ALIAS);
    add('yaml-aliases', 'an alias inside its own anchor', append(text(), 'loop: &x [1, *x]\n'), false);
    add('yaml-aliases', 'an alias without an anchor', append(text(), 'ghost: *nowhere\n'), false);

    const lines = text().split('\n');
    const first = lines.findIndex((l) => /^[a-z_]+:/.test(l));
    add('yaml-duplicate-keys', `the key of line ${first + 1} twice`, [...lines.slice(0, first + 1), lines[first]!.replace(/:.*/, ': 2'), ...lines.slice(first + 1)].join('\n'), false, DUPLICATE);
    add('yaml-duplicate-keys', 'version twice at the end', append(text(), 'version: 1\n'), false, DUPLICATE);
    const nestedLine = lines.findIndex((l) => /^ {4}[a-z_]+: \S/.test(l));
    if (nestedLine > 0) {
      add('yaml-duplicate-keys', `a nested key twice (line ${nestedLine + 1})`, [...lines.slice(0, nestedLine + 1), lines[nestedLine]!, ...lines.slice(nestedLine + 1)].join('\n'), false, DUPLICATE);
    }

    const [depth, style] = rng.pick([[10_000, 'flow'], [10_000, 'dash'], [1_000, 'block'], [300, 'flow'], [257, 'dash']] as const);
    add('deep-nesting', `${style} collections nested ${depth} levels`, append(text(), nestedYaml(depth, style)), false, NESTED);
    add('deep-nesting', 'the whole file nested 10000 levels', `${'['.repeat(10_000)}${']'.repeat(10_000)}\n`, false, NESTED);

    for (const [what, broken] of [
      ['a tab as indentation', (t: string) => t.replace(/\n {2}(\S)/, '\n\t$1')],
      ['an unclosed flow sequence', (t: string) => append(t, 'broken: [1, 2\n')],
      ['an unclosed quote', (t: string) => append(t, 'broken: "open\n')],
      ['an escape YAML does not have', (t: string) => append(t, 'broken: "\\q"\n')],
      ['a second document', (t: string) => `${t}---\n${t}`],
      ['a value where a key belongs', (t: string) => append(t, 'a: b: c\n')],
      ['a reserved indicator', (t: string) => append(t, 'broken: @x\n')],
      ['a key without a value at the top', (t: string) => append(t, ': x\n')],
      ['a list item among the keys', (t: string) => append(t, '- item\n')],
      ['a raw NUL in a value', (t: string) => t.replace(/^version: 1$/m, 'version: 1\u0000')],
    ] as const) {
      const before = text();
      const after = broken(before);
      if (after !== before) add('yaml-syntax', what, after, false);
    }

    const base = makeBase();
    add('truncated', 'cut short', base.text.slice(0, rng.int(base.cutBefore(base.text))), false);

    add('bom', 'a leading BOM', `\ufeff${text()}`, true);
    add('line-endings', 'CRLF line endings', text().replace(/\n/g, '\r\n'), true);
    add('unicode', 'a comment in many scripts', `# ${rng.pick(['שלום', '🚀🔥', 'e\u0301\u0301', '\u202eevil'])}\n${text()}`, true);
    add('unicode', 'an unknown key in unicode', append(text(), `${rng.pick(['développement', '🚀', 'ключ'])}: 1\n`), false);
  }
  for (const top of ['', '42', '- a\n- b\n', 'null', '"x"', '~', '[]', '{}', '# only a comment\n', 'true', '!!binary aGVsbG8=']) {
    add('top-level', `the file is ${JSON.stringify(top)}`, top, false);
  }
  // Configuration files are at most 1 MB: a bigger one is refused before it is parsed.
  add('huge-strings', 'a 10 MB comment', `# ${hugeString()}\n${text()}`, false, TOO_BIG);
  add('huge-strings', 'a 10 MB key', append(text(), `${hugeString()}: 1\n`), false, TOO_BIG);
  add('huge-strings', 'a comment of 0.9 MB', `# ${'y'.repeat(900_000)}\n${text()}`, true);
  return cases;
}
