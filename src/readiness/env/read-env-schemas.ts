import type { ProjectFile } from '../project-files.js';
import { lineAt, splitArguments, stringAt, type LexedSource } from '../source/lexed-source.js';
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
