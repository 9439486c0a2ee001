import { resolveProductionSettings } from '../env/production-settings.js';
import type { ReviewContext } from '../review-context.js';
import type { DraftFinding } from '../types.js';
import { quoteLine } from './rule.js';

const PROXY_CONFIG = /(?:^|\/)(?:nginx[^/]*\.conf|[^/]+\.conf|Caddyfile|traefik[^/]*\.ya?ml)$/;

/**
 * Django's SecurityMiddleware sends the headers but enforces HTTPS only with SECURE_SSL_REDIRECT
 * (or HSTS via SECURE_HSTS_SECONDS) in the settings production resolves; a proxy in the repository
 * that redirects to https, serves HSTS, or is Caddy (automatic HTTPS) enforces it instead.
 */
export function djangoHttpsNotEnforced(ctx: ReviewContext): DraftFinding | undefined {
  const settings = resolveProductionSettings(ctx.files);
  const middleware = settings?.values.get('MIDDLEWARE');
  if (!settings || !middleware || !/django\.middleware\.security\.SecurityMiddleware/.test(middleware.expr)) return undefined;
  const redirect = settings.values.get('SECURE_SSL_REDIRECT');
  const hsts = settings.values.get('SECURE_HSTS_SECONDS');
  const redirects = redirect !== undefined && !/^(?:False|0|None)\b/.test(redirect.expr) && !/default\s*=\s*False|,\s*False\s*\)/.test(redirect.expr);
  const hstsOn = hsts !== undefined && !/^(?:0|None)\b/.test(hsts.expr);
  if (redirects || hstsOn) return undefined;
  const proxies: string[] = [];
  for (const file of ctx.files.files) {
    if (file.test || !PROXY_CONFIG.test(file.rel)) continue;
    const text = ctx.files.text(file);
    if (/(?:^|\/)Caddyfile$/.test(file.rel) || /return\s+30[18]\s+https:|rewrite\s+\S+\s+https:|strict-transport-security|redirectScheme|entrypoints\.\w+\.http\.redirections/i.test(text)) return undefined;
    text.split('\n').forEach((line, i) => {
      if (/^\s*listen\s+/.test(line)) proxies.push(quoteLine(file.rel, i + 1, line.trim()));
    });
  }
  const roots = settings.roots.map((r) => r.rel).join(', ');
  const unset = (name: string, v: typeof redirect): string => (v ? `${quoteLine(v.file.rel, v.line, `${name} = ${v.expr}`)} (off)` : `${name} is not set in ${roots} (Django's default: off)`);
  return {
    rule: 'security-headers',
    title: 'HTTPS is not enforced',
    severity: 'MEDIUM',
    location: redirect ? `${redirect.file.rel}:${redirect.line}` : (settings.roots[0]?.rel ?? middleware.file.rel),
    effort: 'S',
    issue: 'SecurityMiddleware is installed but sends no redirect and no HSTS: browsers keep talking plain HTTP, session cookies and credentials included, whenever a user or a link starts with http://.',
    evidence: [
      quoteLine(middleware.file.rel, middleware.line, 'MIDDLEWARE includes django.middleware.security.SecurityMiddleware'),
      unset('SECURE_SSL_REDIRECT', redirect),
      unset('SECURE_HSTS_SECONDS', hsts),
      ...(proxies.length > 0 ? [`the proxy in the repository neither redirects to https nor sends HSTS: ${proxies.join('; ')}`] : ['no proxy configuration in the repository redirects to https']),
    ].join('\n'),
    recommendation: 'In the production settings set SECURE_SSL_REDIRECT = True and SECURE_HSTS_SECONDS (start small, then a year), with SECURE_PROXY_SSL_HEADER when TLS ends at a proxy; or redirect and send HSTS in the proxy.',
    snippet: 'SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")\nSECURE_SSL_REDIRECT = True\nSECURE_HSTS_SECONDS = 3600  # raise to 31536000 once it works',
  };
}
