// What every generator returns, and the values the generators share.

export type FileKind = 'queue' | 'contract' | 'project';

export interface FuzzCase {
  category: string;
  kind: FileKind;
  /** What the generator did, for the failure message. */
  what: string;
  /** The file's bytes; a string is written as UTF-8. */
  content: string | Buffer;
  /** Valid input loads; invalid input must be refused with an InputError. */
  valid: boolean;
  /** What the refusal must say, when the category calls for a particular message. */
  expect?: RegExp;
}

/** Text written into a JSON file as it is (number spellings, broken syntax, raw bytes). */
export class Raw {
  constructor(readonly text: string) {}
}

/** An object written with its entries as given: the same key may come twice. */
export class Entries {
  constructor(readonly entries: readonly (readonly [string, unknown])[]) {}
}

/** A field left out of the object. */
export const MISSING = Symbol('missing');

export const TEN_MB = 10 * 1024 * 1024;
let tenMb: string | undefined;
/** One 10 MB string, made once. */
export function hugeString(): string {
  tenMb ??= 'x'.repeat(TEN_MB);
  return tenMb;
}

/** A list holding the 10 MB string. */
export function hugeList(): string[] {
  return [hugeString()];
}

/** Right-to-left override, emoji, combining marks, zero-width joiners, an escaped lone surrogate. */
export const UNICODE_SAMPLES = [
  'déploiement vers la production',
  '\u202eevil\u202c reversed',
  'שלום עולם مرحبا',
  '🚀🔥 ship it 👩‍👩‍👧‍👦',
  'e\u0301\u0301\u0301 combining Z\u0351\u0352\u0353',
  'zero\u200bwidth\u200djoin',
  'lone \ud800 high and \udfff low surrogates',
  'nul \u0000 inside',
  'line\nbreak\ttab\rreturn',
  '\ufeffBOM inside',
  '$(touch pwned) `id` ; rm -rf / && echo x | cat > y',
];

/** Versions a shell would act on, or that are not safe git tags. */
export const SHELL_VERSIONS = [
  '1.0; rm -rf /',
  '$(touch pwned)',
  '`id`',
  '../../x',
  '1.0 && touch pwned',
  '1.0 | id',
  "1.0'",
  '"1.0"',
  '1.0\n',
  '--upload-pack=touch pwned',
  '-rf',
  '1.0 #',
  '~/x',
  '*',
  'a>b',
  '${IFS}',
  '1.0\u0000',
];

/** JSON text with Raw and Entries written as they say; other values as JSON.stringify writes them. */
export function writeJson(value: unknown, indent: string): string {
  const nl = indent ? '\n' : '';
  const walk = (v: unknown, pad: string): string => {
    if (v instanceof Raw) return v.text;
    const inner = pad + indent;
    const sep = indent ? ': ' : ':';
    if (v instanceof Entries) {
      if (v.entries.length === 0) return '{}';
      return `{${nl}${v.entries.map(([k, x]) => `${inner}${JSON.stringify(k)}${sep}${walk(x, inner)}`).join(`,${nl}`)}${nl}${pad}}`;
    }
    if (Array.isArray(v)) {
      if (v.length === 0) return '[]';
      return `[${nl}${v.map((x) => `${inner}${walk(x, inner)}`).join(`,${nl}`)}${nl}${pad}]`;
    }
    if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v).filter(([, x]) => x !== MISSING);
      return walk(new Entries(entries), pad);
    }
    return JSON.stringify(v) ?? 'null';
  };
  return walk(value, '');
}
