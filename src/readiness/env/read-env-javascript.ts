import type { ProjectFile } from '../project-files.js';
import { lineAt, splitArguments, stringAt, type LexedSource } from '../source/lexed-source.js';
import type { EnvRead } from './env-read.js';
import { readConvict, readEnvSchemas } from './read-env-schemas.js';

const VITE_BUILT_INS = new Set(['MODE', 'BASE_URL', 'PROD', 'DEV', 'SSR']);
const IDENT = '[A-Za-z_$][\\w$]*';

/** Environment reads in JavaScript/TypeScript: `process.env.X`, `process.env['X']`, destructuring, aliases, envalid. */
export function readEnvJavaScript(file: ProjectFile, source: LexedSource): EnvRead[] {
  const reads: EnvRead[] = readConvict(file, source);
  const { code } = source;
  const hasProcessEnv = code.includes('process.env');
  if (!hasProcessEnv && !code.includes('import.meta.env')) return reads;
  const add = (name: string, offset: number, end: number, via: string): void => {
    const read: EnvRead = { name, file, line: lineAt(source, offset), via };
    const fallback = fallbackLiteral(source, end);
    if (fallback !== undefined) read.defaultValue = fallback;
    reads.push(read);
  };

  const objects = hasProcessEnv ? ['(?<![\\w$.])process\\.env'] : [];
  for (const m of hasProcessEnv ? code.matchAll(/=\s*process\.env\s*(?=[;\n)]|$)/g) : []) {
    const alias = new RegExp(`(?:const|let|var)\\s+(${IDENT})\\s*$`).exec(code.slice(Math.max(0, m.index - 60), m.index));
    if (alias?.[1]) objects.push(`(?<![\\w$.])${alias[1].replace(/\$/g, '\\$')}`);
  }
  for (const object of objects) {
    for (const m of code.matchAll(new RegExp(`${object}\\.(${IDENT})`, 'g'))) {
      const end = m.index + m[0].length;
      if (!m[1] || isWrite(code, m.index, end)) continue;
      add(m[1], m.index, end, 'process.env');
    }
    for (const m of code.matchAll(new RegExp(`${object}\\s*\\[\\s*`, 'g'))) {
      const token = stringAt(source, m.index + m[0].length);
      if (!token || token.interpolated) continue;
      const close = code.indexOf(']', token.end);
      const end = close < 0 ? token.end : close + 1;
      if (isWrite(code, m.index, end)) continue;
      add(token.value, m.index, end, 'process.env');
    }
  }
  for (const m of code.matchAll(new RegExp(`\\bimport\\.meta\\.env\\.(${IDENT})`, 'g'))) {
    if (m[1] && !VITE_BUILT_INS.has(m[1])) add(m[1], m.index, m.index + m[0].length, 'import.meta.env');
  }
  for (const m of hasProcessEnv ? code.matchAll(/=\s*process\.env\b(?!\s*[.[])/g) : []) {
    const open = destructuringOpen(code, m.index);
    if (open < 0) continue;
    for (const entry of splitArguments(code, open)) {
      const e = new RegExp(`^(\\.\\.\\.)?\\s*(${IDENT})\\s*(?::\\s*${IDENT}\\s*)?(=)?`).exec(entry.code);
      if (!e?.[2] || e[1]) continue;
      const read: EnvRead = { name: e[2], file, line: lineAt(source, entry.start), via: 'process.env destructuring' };
      if (e[3]) {
        const token = stringAt(source, entry.start + e[0].length);
        if (token && !token.interpolated) read.defaultValue = token.value;
      }
      reads.push(read);
    }
  }
  reads.push(...readEnvSchemas(file, source));
  for (const m of code.matchAll(/\bcleanEnv\s*\(\s*process\.env\s*,\s*\{/g)) {
    const open = m.index + m[0].length - 1;
    for (const entry of splitArguments(code, open)) {
      const key = new RegExp(`^(${IDENT})\\s*:`).exec(entry.code);
      const name = key?.[1] ?? stringAt(source, entry.start)?.value;
      if (!name) continue;
      const read: EnvRead = { name, file, line: lineAt(source, entry.start), via: 'envalid' };
      const def = /\bdefault\s*:\s*/.exec(entry.code);
      const token = def ? stringAt(source, entry.start + def.index + def[0].length) : undefined;
      if (token && !token.interpolated) read.defaultValue = token.value;
      reads.push(read);
    }
  }
  return reads;
}

/** The `{` of a destructuring pattern whose `}` comes right before `at` (blanks aside), or -1. */
function destructuringOpen(code: string, at: number): number {
  let i = at - 1;
  while (i >= 0 && /\s/.test(code[i] ?? '')) i--;
  if (code[i] !== '}') return -1;
  let depth = 0;
  for (; i >= 0; i--) {
    const c = code[i];
    if (c === '}') depth++;
    else if (c === '{' && --depth === 0) return i;
  }
  return -1;
}

/** An assignment (`process.env.X = …`, `++`) or a `delete`, not a read. */
function isWrite(code: string, start: number, end: number): boolean {
  const after = code.slice(end, end + 4);
  if (/^\s*(?:=(?!=)|\+\+|--|\+=|\|\|=|\?\?=)/.test(after)) return true;
  return /\bdelete\s+$/.test(code.slice(Math.max(0, start - 10), start));
}

/** `X || 'literal'` and `X ?? 'literal'` after a read ending at `end`. */
function fallbackLiteral(source: LexedSource, end: number): string | undefined {
  const m = /^\s*(?:\|\||\?\?)\s*/.exec(source.code.slice(end, end + 40));
  if (!m) return undefined;
  const token = stringAt(source, end + m[0].length);
  return token && !token.interpolated ? token.value : undefined;
}
