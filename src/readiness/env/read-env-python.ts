import type { ProjectFile } from '../project-files.js';
import { findClosing, lineAt, splitArguments, stringAt, type ArgumentSpan, type LexedSource } from '../source/lexed-source.js';
import type { EnvRead } from './env-read.js';
import { readSettingsClasses } from './read-settings-classes.js';

/**
 * Environment reads in Python: `os.environ['X']`, `os.environ.get('X', default)`, `os.getenv`,
 * python-decouple's `config('X')`, django-environ's `env('X')`, pydantic settings classes.
 */
export function readEnvPython(file: ProjectFile, source: LexedSource, envObjects: ReadonlySet<string> = new Set(), wrappers: ReadonlySet<string> = new Set()): EnvRead[] {
  const reads: EnvRead[] = [];
  const { code } = source;
  const fromOs = /^[ \t]*from[ \t]+os[ \t]+import[ \t]+[^\n]*\b(?:environ|getenv)\b/m.test(code);
  const osPrefix = fromOs ? '(?:(?<![\\w.])os\\.|(?<![\\w.]))' : '(?<![\\w.])os\\.';

  for (const m of code.matchAll(new RegExp(`${osPrefix}environ\\s*\\[\\s*`, 'g'))) {
    const token = stringAt(source, m.index + m[0].length);
    if (!token || token.interpolated) continue;
    const close = code.indexOf(']', token.end);
    const after = close < 0 ? '' : code.slice(close + 1, close + 5);
    if (/^\s*=(?!=)/.test(after) || /\bdel\s+$/.test(code.slice(Math.max(0, m.index - 8), m.index))) continue;
    const read: EnvRead = { name: token.value, file, line: lineAt(source, token.start), via: 'os.environ' };
    const fallback = close < 0 ? undefined : orFallback(source, close + 1);
    if (fallback !== undefined) read.defaultValue = fallback;
    reads.push(read);
  }
  for (const m of code.matchAll(new RegExp(`${osPrefix}(environ\\.get|getenv)\\s*\\(`, 'g'))) {
    addCall(reads, file, source, m.index + m[0].length - 1, m[1] === 'getenv' ? 'os.getenv' : 'os.environ.get', 1);
  }
  if (/^[ \t]*(?:from[ \t]+decouple[ \t]+import|import[ \t]+decouple)\b/m.test(code)) {
    for (const m of code.matchAll(/(?<![\w.])(?:decouple\.)?config\s*\(/g)) addCall(reads, file, source, m.index + m[0].length - 1, 'decouple.config', -1);
  }
  // django-environ's Env object, made here or imported from the module that makes it (`from config.env import env`).
  const bound = [...(code.includes('environ.Env') ? code.matchAll(/^[ \t]*(\w+)\s*=\s*environ\.Env\s*\(/gm) : [])].map((m) => ({ name: m[1] ?? '', at: m.index + m[0].indexOf(m[1] ?? '') }));
  for (const name of envObjects) {
    if (!bound.some((b) => b.name === name) && new RegExp(`^[ \\t]*from[ \\t]+[\\w.]+[ \\t]+import[ \\t][^\\n]*\\b${name}\\b`, 'm').test(code)) bound.push({ name, at: -1 });
  }
  for (const env of bound) {
    const name = env.name;
    for (const m of code.matchAll(new RegExp(`(?<![\\w.])${name}(\\.\\w+)?\\s*\\(`, 'g'))) {
      if (m.index === env.at) continue;
      addCall(reads, file, source, m.index + m[0].length - 1, 'django-environ', m[1] ? 1 : -1);
    }
  }
  // The project's own readers (`envbool("DEBUG", "True")`): the name first, the default second.
  for (const name of wrappers) {
    for (const m of code.matchAll(new RegExp(`(?<![\\w.])${name}\\s*\\(`, 'g'))) {
      if (/\bdef\s+$/.test(code.slice(Math.max(0, m.index - 8), m.index))) continue;
      addCall(reads, file, source, m.index + m[0].length - 1, `${name}()`, 1);
    }
  }
  reads.push(...readSettingsClasses(file, source));
  return reads;
}

/**
 * A call whose first argument names the variable. Its default: the `default=` keyword, or the
 * positional argument at `defaultIndex` (-1: keyword only).
 */
function addCall(reads: EnvRead[], file: ProjectFile, source: LexedSource, open: number, via: string, defaultIndex: number): void {
  const args = splitArguments(source.code, open);
  const first = args[0];
  const token = first ? stringAt(source, first.start) : undefined;
  if (!first || !token || token.interpolated || token.end !== first.end || !/^[A-Za-z_][\w.-]*$/.test(token.value)) return;
  const read: EnvRead = { name: token.value, file, line: lineAt(source, token.start), via };
  const fallback = defaultArgument(source, args, defaultIndex) ?? orFallback(source, findClosing(source.code, open));
  if (fallback !== undefined) read.defaultValue = fallback;
  // Any default (a number, a list, None): the service starts without the variable.
  if (args.some((a) => /^default\s*=/.test(a.code)) || (defaultIndex > 0 && args.length > defaultIndex && !/^\w+\s*=/.test(args[defaultIndex]?.code ?? ''))) read.optional = true;
  reads.push(read);
}

/** `… or 'literal'` right after a read that ends at `end`. */
function orFallback(source: LexedSource, end: number): string | undefined {
  const m = /^[ \t]*or[ \t]+/.exec(source.code.slice(end, end + 20));
  if (!m) return undefined;
  const token = stringAt(source, end + m[0].length);
  return token && !token.interpolated ? token.value : undefined;
}

function defaultArgument(source: LexedSource, args: ArgumentSpan[], index: number): string | undefined {
  for (const arg of args.slice(1)) {
    const kw = /^default\s*=\s*/.exec(arg.code);
    if (kw) return literalAt(source, arg.start + kw[0].length, arg.end);
  }
  const positional = index > 0 ? args[index] : undefined;
  if (!positional || /^\w+\s*=/.test(positional.code)) return undefined;
  return literalAt(source, positional.start, positional.end);
}

/** The string literal spanning exactly [start, end), if that is what is there. */
function literalAt(source: LexedSource, start: number, end: number): string | undefined {
  const token = stringAt(source, start);
  if (!token || token.interpolated || token.end !== end) return undefined;
  return token.value;
}
