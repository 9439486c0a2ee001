import type { ReviewContext } from '../review-context.js';
import { isDevSettings } from '../service/production-scope.js';
import { findClosing, lineAt } from '../source/lexed-source.js';
import { quoteLine } from './rule.js';

/** A place where CORS allows every origin, and whether it allows credentials too. */
export interface CorsSite {
  evidence: string;
  credentials: boolean;
}

/**
 * CORS set up in code with any origin: Starlette/FastAPI CORSMiddleware, express cors() (no
 * options means "*"), NestJS enableCors; an origin taken from a config value is followed to where
 * that value defaults to "*".
 */
export function corsAnyOrigin(ctx: ReviewContext): CorsSite[] {
  const out: CorsSite[] = [];
  for (const file of ctx.files.code({ toolConfig: false })) {
    if (file.clientSide || file.test) continue;
    const source = ctx.files.lexed(file);
    const lines = source.text.split('\n');
    const python = file.language === 'python';
    const re = python ? /\bCORSMiddleware\b/g : /(?:(?<![\w$.])cors|\benableCors)\s*\(/g;
    for (const m of source.code.matchAll(re)) {
      const open = python ? source.code.lastIndexOf('(', m.index) : m.index + m[0].length - 1;
      if (open < 0 || (python && !/add_middleware\s*\($|Middleware\s*\($/.test(source.code.slice(Math.max(0, open - 20), open + 1)))) continue;
      const close = findClosing(source.code, open);
      const call = source.text.slice(open, close);
      const credentials = python ? /allow_credentials\s*=\s*True/.test(call) : /credentials\s*:\s*true/.test(call);
      const empty = !python && /^\(\s*\)?$/.test(call);
      const origins = python ? /allow_origins\s*=\s*([^,)]+)/.exec(call)?.[1]?.trim() : /origin\s*:\s*([^,}]+)/.exec(call)?.[1]?.trim();
      if (!origins && !empty) continue;
      const any = empty ? 'no options: every origin' : origins && /["'`]\*["'`]|^true$/.test(origins) ? origins : origins ? wildcardSource(ctx, origins, python) : undefined;
      if (!any) continue;
      const line = lineAt(source, m.index);
      out.push({ evidence: `${quoteLine(file.rel, line, lines[line - 1] ?? '')} (origins: ${any}${credentials ? '; credentials allowed' : ''})`, credentials });
    }
  }
  return out;
}

/** `config.corsOrigin` → the line that defaults it to "*" (`corsOrigin: process.env.CORS_ORIGIN || '*'`). */
function wildcardSource(ctx: ReviewContext, expr: string, python: boolean): string | undefined {
  if (python) return wildcardField(ctx, expr);
  const name = /(?:^|\.)([A-Za-z_$][\w$]*)\s*$/.exec(expr)?.[1];
  if (!name) return undefined;
  const def = new RegExp(`(?:^|[\\s{,])${name.replace(/\$/g, '\\$')}\\s*[:=]\\s*[^\\n]*(?:\\|\\||\\?\\?)\\s*["'\`]\\*["'\`]`);
  for (const file of ctx.files.code({ language: 'javascript', toolConfig: false })) {
    if (file.test || file.clientSide) continue;
    const lines = ctx.files.text(file).split('\n');
    const i = lines.findIndex((l) => def.test(l));
    if (i >= 0) return quoteLine(file.rel, i + 1, lines[i]?.trim() ?? '');
  }
  return undefined;
}

/** `settings.allowed_hosts` → `app/core/settings/app.py:31: allowed_hosts: List[str] = ["*"]` when the field defaults to "*". */
function wildcardField(ctx: ReviewContext, expr: string): string | undefined {
  const field = /(?:^|\.)(\w+)$/.exec(expr)?.[1];
  if (!field) return undefined;
  for (const file of ctx.files.code({ language: 'python', toolConfig: false })) {
    const lines = ctx.files.text(file).split('\n');
    const i = lines.findIndex((l) => new RegExp(`^\\s*${field}\\s*(?::[^=]+)?=\\s*\\[?\\s*["']\\*["']`).test(l));
    if (i >= 0) return quoteLine(file.rel, i + 1, lines[i] ?? '');
  }
  return undefined;
}

/** pydantic settings classes production uses whose `debug` defaults to True (development/test classes left out). */
export function pydanticDebugDefaults(ctx: ReviewContext): string[] {
  const out: string[] = [];
  for (const file of ctx.files.code({ language: 'python', toolConfig: false })) {
    if (isDevSettings(file.rel)) continue;
    const lines = ctx.files.text(file).split('\n');
    let cls = '';
    lines.forEach((line, i) => {
      const c = /^class\s+(\w+)\s*\(([^)]*)\)/.exec(line);
      if (c) cls = /Settings|Config/.test(`${c[1]} ${c[2]}`) && !/Dev|Test|Local|Debug/i.test(c[1] ?? '') ? (c[1] ?? '') : '';
      else if (/^\S/.test(line)) cls = '';
      if (cls && /^\s+debug\s*:\s*bool\s*=\s*True\b/.test(line)) out.push(`${quoteLine(file.rel, i + 1, line)} (in ${cls})`);
    });
  }
  return out;
}

