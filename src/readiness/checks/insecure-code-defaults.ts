import type { ReviewContext } from '../review-context.js';
import { isDevSettings } from '../service/production-scope.js';
import { findClosing, lineAt } from '../source/lexed-source.js';
import { quoteLine } from './rule.js';

/** CORS set up in code with any origin and credentials: Starlette/FastAPI CORSMiddleware, express cors(), NestJS enableCors. */
export function corsWithCredentials(ctx: ReviewContext): string[] {
  const out: string[] = [];
  for (const file of ctx.files.code({ toolConfig: false })) {
    if (file.clientSide) continue;
    const source = ctx.files.lexed(file);
    const lines = source.text.split('\n');
    const re = file.language === 'python' ? /\bCORSMiddleware\b/g : /\b(?:cors|enableCors)\s*\(/g;
    for (const m of source.code.matchAll(re)) {
      const open = file.language === 'python' ? source.code.lastIndexOf('(', m.index) : m.index + m[0].length - 1;
      if (open < 0) continue;
      const close = findClosing(source.code, open);
      const call = source.text.slice(open, close);
      const credentials = file.language === 'python' ? /allow_credentials\s*=\s*True/.test(call) : /credentials\s*:\s*true/.test(call);
      if (!credentials) continue;
      const origins = file.language === 'python' ? /allow_origins\s*=\s*([^,)]+)/.exec(call)?.[1]?.trim() : /origin\s*:\s*([^,}]+)/.exec(call)?.[1]?.trim();
      if (!origins) continue;
      const line = lineAt(source, m.index);
      const any = /["'`]\*["'`]|^true$/.test(origins) ? `${origins}` : file.language === 'python' ? wildcardField(ctx, origins) : undefined;
      if (any) out.push(`${quoteLine(file.rel, line, lines[line - 1] ?? '')} (origins: ${any}; credentials allowed)`);
    }
  }
  return out;
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

