import type { ProjectFile } from '../project-files.js';
import { lineAt, splitArguments, stringAt, type LexedSource } from '../source/lexed-source.js';
import type { EnvRead } from './env-read.js';

/**
 * Fields of pydantic settings classes (`class Settings(BaseSettings)`): each is read from the
 * environment variable of its name (any case), after the class's `env_prefix`, unless an
 * `alias`/`validation_alias`/`env` names another.
 */
export function readSettingsClasses(file: ProjectFile, source: LexedSource): EnvRead[] {
  const reads: EnvRead[] = [];
  const { code } = source;
  for (const cls of code.matchAll(/^([ \t]*)class[ \t]+\w+[ \t]*\(([^)]*)\)[ \t]*:/gm)) {
    if (!/\bBaseSettings\b/.test(cls[2] ?? '')) continue;
    const indent = (cls[1] ?? '').length;
    const bodyStart = code.indexOf('\n', cls.index) + 1;
    const bodyEnd = endOfBlock(code, bodyStart, indent);
    const body = code.slice(bodyStart, bodyEnd);
    const fieldIndent = /^([ \t]+)\S/m.exec(body)?.[1]?.length ?? indent + 4;
    const prefixAt = /\benv_prefix\s*=\s*/.exec(body);
    const prefix = prefixAt ? (stringAt(source, bodyStart + prefixAt.index + prefixAt[0].length)?.value ?? '') : '';
    const fieldRe = new RegExp(`^[ \\t]{${fieldIndent}}([A-Za-z]\\w*)[ \\t]*:[ \\t]*([^=\\n]+?)[ \\t]*(?:=[ \\t]*(.*))?$`, 'gm');
    for (const f of body.matchAll(fieldRe)) {
      const field = f[1] ?? '';
      if (field === 'model_config' || /\bClassVar\b/.test(f[2] ?? '')) continue;
      const fieldAt = bodyStart + f.index;
      const read: EnvRead = { name: `${prefix}${field}`.toUpperCase(), file, line: lineAt(source, fieldAt), via: 'BaseSettings', caseInsensitive: true };
      if (f[3] !== undefined) {
        if (!/^(?:pydantic\.)?Field\s*\(\s*(?:\.\.\.|\)|[a-z_]+\s*=)/.test(f[3].trim()) || /\bdefault(?:_factory)?\s*=/.test(f[3])) read.optional = true;
        const valueAt = fieldAt + f[0].length - f[3].length;
        applyValue(source, valueAt, read);
      }
      reads.push(read);
    }
  }
  return reads;
}

/** `= 'literal'`, `= Field('literal', …)`, `= Field(default='literal', alias='X')`. */
function applyValue(source: LexedSource, valueAt: number, read: EnvRead): void {
  const direct = stringAt(source, valueAt);
  if (direct && !direct.interpolated) {
    read.defaultValue = direct.value;
    return;
  }
  const call = /^(?:pydantic\.)?Field\s*\(/.exec(source.code.slice(valueAt, valueAt + 40));
  if (!call) return;
  const args = splitArguments(source.code, valueAt + call[0].length - 1);
  args.forEach((arg, index) => {
    const kw = /^(\w+)\s*=\s*/.exec(arg.code);
    const token = stringAt(source, arg.start + (kw ? kw[0].length : 0));
    if (!token || token.interpolated || token.end !== arg.end) return;
    if (kw && /^(?:alias|validation_alias|env)$/.test(kw[1] ?? '')) {
      read.name = token.value.toUpperCase();
    } else if ((kw && kw[1] === 'default') || (!kw && index === 0)) {
      read.defaultValue = token.value;
    }
  });
}

/** Where the indented block starting at `from` ends (the first line indented `indent` or less). */
function endOfBlock(code: string, from: number, indent: number): number {
  const re = /^([ \t]*)\S/gm;
  re.lastIndex = from;
  for (let m = re.exec(code); m; m = re.exec(code)) {
    if ((m[1] ?? '').length <= indent) return m.index;
  }
  return code.length;
}
