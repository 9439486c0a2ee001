import type { ProjectFiles } from '../project-files.js';
import { lineAt, splitArguments, stringAt, type LexedSource } from '../source/lexed-source.js';
import type { EnvRead } from './env-read.js';
import { readEnvJavaScript } from './read-env-javascript.js';
import { readEnvPython } from './read-env-python.js';

const cache = new WeakMap<ProjectFiles, EnvRead[]>();

/**
 * Every environment read of the code that runs in production (no tests, tools, examples or docs),
 * including reads through the project's own wrappers: a django-environ `env` made in one module
 * and imported in others, a `getOsEnv(key)` that returns `process.env[key]`.
 */
export function collectEnvReads(files: ProjectFiles): EnvRead[] {
  const cached = cache.get(files);
  if (cached) return cached;
  const code = files.code({ toolConfig: false });
  const envObjects = new Set<string>();
  const jsWrappers = new Set<string>();
  const pyWrappers = new Set<string>();
  for (const file of code) {
    const source = files.lexed(file);
    if (file.language === 'python') {
      for (const m of source.code.matchAll(/^[ \t]*(\w+)\s*=\s*environ\.Env\s*\(/gm)) if (m[1]) envObjects.add(m[1]);
      // def envbool(s, default): v = os.getenv(s, default=default) — the project's own reader.
      for (const m of source.code.matchAll(/^def[ \t]+(\w+)[ \t]*\([ \t]*(\w+)[^)]*\)[^:]*:((?:\n(?:[ \t]+[^\n]*|[ \t]*))+)/gm)) {
        if (m[1] && m[2] && new RegExp(`(?:getenv|environ\\.get)\\s*\\(\\s*${m[2]}\\b|environ\\[\\s*${m[2]}\\s*\\]`).test(m[3] ?? '')) pyWrappers.add(m[1]);
      }
    } else if (source.code.includes('process.env')) {
      for (const m of source.code.matchAll(/\bfunction\s+([A-Za-z_$][\w$]*)\s*\(\s*([A-Za-z_$][\w$]*)[^)]*\)[^{]*\{[^}]*?process\.env\s*\[\s*\2\s*\]/g)) if (m[1]) jsWrappers.add(m[1]);
      for (const m of source.code.matchAll(/\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*\(?\s*([A-Za-z_$][\w$]*)[^)=]*\)?\s*(?::[^=]+)?=>[^;]*?process\.env\s*\[\s*\2\s*\]/g)) if (m[1]) jsWrappers.add(m[1]);
    }
  }
  const reads: EnvRead[] = [];
  for (const file of code) {
    const source = files.lexed(file);
    if (file.language === 'python') reads.push(...readEnvPython(file, source, envObjects, pyWrappers));
    else reads.push(...readEnvJavaScript(file, source), ...readWrapperCalls(file, source, jsWrappers));
  }
  cache.set(files, reads);
  return reads;
}

/** `getOsEnv('APP_NAME')` where getOsEnv returns process.env[its argument]. */
function readWrapperCalls(file: EnvRead['file'], source: LexedSource, wrappers: ReadonlySet<string>): EnvRead[] {
  const out: EnvRead[] = [];
  for (const name of wrappers) {
    for (const m of source.code.matchAll(new RegExp(`(?<![\\w$.])${name.replace(/\$/g, '\\$')}\\s*\\(`, 'g'))) {
      const first = splitArguments(source.code, m.index + m[0].length - 1)[0];
      const token = first ? stringAt(source, first.start) : undefined;
      if (!token || token.interpolated || !/^[A-Za-z_][\w]*$/.test(token.value)) continue;
      out.push({ name: token.value, file, line: lineAt(source, token.start), via: `${name}()` });
    }
  }
  return out;
}
