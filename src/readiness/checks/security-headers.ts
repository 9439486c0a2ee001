import { findImport } from '../imports.js';
import type { ReviewContext } from '../review-context.js';
import { lineAt } from '../source/lexed-source.js';
import { djangoHttpsNotEnforced } from './https-enforced.js';
import type { ReadinessRule } from './rule.js';

const NODE_LIBRARIES = ['helmet', '@fastify/helmet', 'fastify-helmet', 'koa-helmet', 'lusca', 'hono/secure-headers', '@hapi/blankie', 'next-secure-headers', '@nestjs/helmet'];
const PYTHON_LIBRARIES = ['flask_talisman', 'talisman', 'secure', 'csp', 'django_csp', 'starlette_secure_headers', 'fastapi_security_headers'];
const HEADER_NAMES = /^(?:content-security-policy|x-content-type-options|strict-transport-security|x-frame-options|referrer-policy|permissions-policy)$/i;
// Django settings and middleware that make Django send the headers.
const DJANGO_SETTINGS = /^(?:django\.middleware\.security\.SecurityMiddleware|django\.middleware\.clickjacking\.XFrameOptionsMiddleware|csp\.middleware\.CSPMiddleware)$/;

// Browsers only protect users of a web app from sniffing, framing and injection when told to.
export const securityHeadersRule: ReadinessRule = {
  id: 'security-headers',
  title: 'Security headers',
  area: 'security',
  impact:
    'Browsers protect users from content sniffing, clickjacking and injected scripts only when the service tells them to; without the headers every response is open to these.',
  run(ctx) {
    if (!ctx.webApp) return { findings: [], notApplicable: 'not a web app' };
    const found = findSecurityHeaders(ctx);
    const https = djangoHttpsNotEnforced(ctx);
    if (found && https) return { findings: [https] };
    if (found) return { findings: [], passed: found };
    return {
      findings: [
        {
          rule: this.id,
          title: 'No security headers',
          severity: 'MEDIUM',
          location:
            'missing: helmet (or @fastify/helmet, koa-helmet), Django SecurityMiddleware, flask-talisman, secure, or code/proxy config setting Content-Security-Policy, X-Content-Type-Options, Strict-Transport-Security, X-Frame-Options',
          effort: 'S',
          evidence: `The project is a web app (${ctx.webApp}) and nothing outside tests sets security headers.`,
          recommendation:
            'Send the standard security headers on every response: use helmet (Node), SecurityMiddleware with SECURE_* settings (Django), flask-talisman (Flask) or secure (FastAPI/Starlette), or set them in the reverse proxy.',
        },
      ],
    };
  },
};

function findSecurityHeaders(ctx: ReviewContext): string | undefined {
  const library =
    findImport(ctx.imports.filter((s) => s.file.language === 'javascript'), NODE_LIBRARIES) ??
    findImport(ctx.imports.filter((s) => s.file.language === 'python'), PYTHON_LIBRARIES);
  if (library) return `${library.file.rel}:${library.line} (${library.specifier})`;
  for (const file of ctx.files.code()) {
    if (file.test) continue;
    const source = ctx.files.lexed(file);
    const header = source.strings.find((s) => HEADER_NAMES.test(s.value) || (file.language === 'python' && DJANGO_SETTINGS.test(s.value)));
    if (header) return `${file.rel}:${lineAt(source, header.start)} ("${header.value}")`;
  }
  for (const file of ctx.files.files) {
    if (file.test || !/(?:^|\/)(?:nginx[^/]*\.conf|[^/]+\.conf|Caddyfile|_headers|vercel\.json|netlify\.toml|firebase\.json|staticwebapp\.config\.json)$/.test(file.rel)) continue;
    const lines = ctx.files.text(file).split('\n');
    const index = lines.findIndex((l) => /content-security-policy|x-content-type-options|strict-transport-security|x-frame-options/i.test(l) && !/^\s*#/.test(l));
    if (index >= 0) return `${file.rel}:${index + 1}`;
  }
  return undefined;
}
