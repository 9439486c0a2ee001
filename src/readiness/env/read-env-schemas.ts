import type { ProjectFile } from '../project-files.js';
import { findClosing, lineAt, splitArguments, stringAt, type LexedSource } from '../source/lexed-source.js';
import type { EnvRead } from './env-read.js';

// A schema applied to the whole environment: Joi's `schema.validate(process.env)`, zod's
// `schema.parse(process.env)`, envalid's `cleanEnv(process.env, …)`, convict, …
const VALIDATES_ENV = /\b(?:validate|validateSync|parse|safeParse|parseAsync|safeParseAsync|cast|decode|load)\s*\(\s*process\.env\b/;
const SCHEMA_OBJECT = /\b(?:Joi\.object|z\.object|yup\.object|Type\.Object|t\.type|object|strictObject|looseObject)\s*\(\s*(?:\)\s*\.keys\s*\(\s*)?\{/g;

/**
 * Variables named as UPPER_CASE keys of the schema objects of a file that validates
 * `process.env` against a schema; `.default('literal')` in a key's schema is its default.
 */
export function readEnvSchemas(file: ProjectFile, source: LexedSource): EnvRead[] {
  const { code } = source;
  if (!VALIDATES_ENV.test(code)) return [];
  const reads: EnvRead[] = [];
  for (const m of code.matchAll(SCHEMA_OBJECT)) {
    const open = m.index + m[0].length - 1;
    for (const entry of splitArguments(code, open)) {
      const key = /^([A-Z][A-Z0-9_]*)\s*:/.exec(entry.code);
      const quoted = key ? undefined : stringAt(source, entry.start);
      const name = key?.[1] ?? (quoted && /^[A-Z][A-Z0-9_]*$/.test(quoted.value) ? quoted.value : undefined);
      if (!name) continue;
      const read: EnvRead = { name, file, line: lineAt(source, entry.start), via: 'env schema' };
      const def = /\.default\s*\(\s*/.exec(entry.code);
      const token = def ? stringAt(source, entry.start + def.index + def[0].length) : undefined;
      if (token && !token.interpolated) read.defaultValue = token.value;
      reads.push(read);
    }
  }
  return reads;
}

/** convict schemas: each `{ env: 'NAME', default: 'literal' }` object inside `convict({ … })`. */
export function readConvict(file: ProjectFile, source: LexedSource): EnvRead[] {
  const { code } = source;
  const reads: EnvRead[] = [];
  for (const call of code.matchAll(/\bconvict\s*\(\s*\{/g)) {
    const open = call.index + call[0].length - 1;
    const close = findClosing(code, open);
    for (const m of code.slice(open, close).matchAll(/\benv\s*:\s*/g)) {
      const at = open + m.index;
      const name = stringAt(source, at + m[0].length);
      if (!name || name.interpolated || !/^[A-Z][A-Z0-9_]*$/.test(name.value)) continue;
      const objectOpen = enclosingBrace(code, at);
      if (objectOpen < 0) continue;
      const objectEnd = findClosing(code, objectOpen);
      const read: EnvRead = { name: name.value, file, line: lineAt(source, at), via: 'convict' };
      const def = /(?<![\w$])default\s*:\s*/.exec(code.slice(objectOpen, objectEnd));
      const token = def ? stringAt(source, objectOpen + def.index + def[0].length) : undefined;
      if (token && !token.interpolated) read.defaultValue = token.value;
      reads.push(read);
    }
  }
  return reads;
}

/** The `{` of the object literal around `at`. */
function enclosingBrace(code: string, at: number): number {
  let depth = 0;
  for (let i = at - 1; i >= 0; i--) {
    const c = code[i];
    if (c === '}') depth++;
    else if (c === '{') {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}
