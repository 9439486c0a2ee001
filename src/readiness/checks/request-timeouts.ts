import type { ReviewContext } from '../review-context.js';
import { readStartCommands } from '../service/start-commands.js';
import type { DraftFinding } from '../types.js';
import { listEvidence, quoteLine, type ReadinessRule } from './rule.js';

// Code or configuration that bounds how long a request may run.
const NODE_TIMEOUT = /\b(?:requestTimeout|headersTimeout|connectionTimeout)\s*[:=]|\.setTimeout\s*\(|\bserver\.timeout\s*=|\bconnect-timeout\b|\btimeout\s*\(\s*['"`]\d|\bhttp-timeout\b|\bkoa-timeout\b|@fastify\/timeout/;
const PROXY_TIMEOUT = /\bproxy_pass\b|\bproxy_read_timeout\b|\bresponse_?timeout\b|\breadTimeout\b|\btimeout\s+(?:server|client|http-request)\b|\bProxyTimeout\b/;

/** A request that runs forever holds a worker forever: the server, the uWSGI/gunicorn config or the proxy must cut it. */
export const requestTimeoutsRule: ReadinessRule = {
  id: 'request-timeouts',
  title: 'Request timeouts',
  area: 'resources',
  impact:
    'Without a request timeout a slow query or a stuck downstream call keeps its worker busy for as long as it hangs: under load every worker ends up waiting and the service stops answering, while the load balancer keeps sending traffic.',
  snippets: {
    django: '# uwsgi.ini\nharakiri = 30\n# or gunicorn: --timeout 30',
    flask: '# gunicorn: --timeout 30 (the default); uWSGI: harakiri = 30',
    fastapi: '# behind a proxy: proxy_read_timeout 30s; or in code:\n# asyncio.wait_for(handler(), timeout=30) in a middleware',
    default: "const server = app.listen(port);\nserver.requestTimeout = 30_000; // whole request\nserver.headersTimeout = 10_000;",
  },
  run(ctx) {
    if (!ctx.webApp) return { findings: [], notApplicable: 'not a web app (no HTTP framework or server found)' };
    const commands = readStartCommands(ctx.files);
    const text = commands.map((c) => c.text).join('\n');
    const proxy = proxyTimeout(ctx);
    const uwsgi = uwsgiHarakiri(ctx);
    if (uwsgi) {
      if (uwsgi.literal) return { findings: [], passed: uwsgi.where };
      return finding(this.id, uwsgi.where, uwsgi.envOnly ? 'The request timeout is set only when an environment variable is' : 'uWSGI runs without harakiri', [uwsgi.where], proxy);
    }
    const gunicorn = /\bgunicorn\b/.test(text) || ctx.deps.some((d) => d.name === 'gunicorn' && !d.dev);
    if (gunicorn) {
      const zero = commands.find((c) => /\bgunicorn\b.*(?:--timeout[=\s]+0\b|-t\s+0\b)/.test(c.text));
      if (!zero) return { findings: [], passed: 'gunicorn: its worker timeout (30 s by default) ends stuck requests' };
      return finding(this.id, zero.location, 'gunicorn runs with --timeout 0', [`${zero.location}: ${zero.text}`], proxy);
    }
    if (proxy) return { findings: [], passed: `the proxy cuts long requests: ${proxy}` };
    if (ctx.languages.includes('javascript')) {
      const set = nodeTimeout(ctx);
      if (set && !set.envOnly) return { findings: [], passed: set.where };
      if (set) return finding(this.id, set.where.split(': ')[0] ?? '', 'The request timeout is set only when an environment variable is', [set.where], undefined);
    }
    const server = /\b(?:uvicorn|hypercorn|daphne|granian)\b/.exec(text)?.[0] ?? (ctx.languages.includes('javascript') ? 'the Node HTTP server' : 'the application server');
    const where = commands.find((c) => c.text.includes(server))?.location ?? `missing: a request timeout (server option, uWSGI harakiri, gunicorn --timeout, or a proxy in front)`;
    return finding(this.id, where, 'No request timeout', [`${server} serves requests with no time limit of its own; no uWSGI harakiri, gunicorn timeout, server.requestTimeout or proxy timeout was found in the repository.`], undefined);
  },
};

function finding(rule: string, location: string, title: string, evidence: string[], proxy: string | undefined): { findings: DraftFinding[] } {
  return {
    findings: [
      {
        rule,
        title,
        severity: 'MEDIUM',
        location,
        effort: 'S',
        evidence: listEvidence(proxy ? [...evidence, `(a proxy is configured: ${proxy}, but the application's own workers are not bounded)`] : evidence),
        recommendation: 'Bound every request: a literal default for the server timeout (uWSGI harakiri, gunicorn --timeout, server.requestTimeout), shorter than the load balancer\'s, so a stuck request frees its worker.',
      },
    ],
  };
}

function uwsgiHarakiri(ctx: ReviewContext): { where: string; literal: boolean; envOnly: boolean } | undefined {
  for (const file of ctx.files.files) {
    if (file.test || !/\.ini$/.test(file.rel)) continue;
    const text = ctx.files.text(file);
    if (!/^\s*\[uwsgi\]/m.test(text)) continue;
    const lines = text.split('\n');
    const i = lines.findIndex((l) => /^\s*harakiri\s*=/.test(l));
    if (i < 0) return { where: `${file.rel}:1: [uwsgi] without harakiri`, literal: false, envOnly: false };
    const line = lines[i] ?? '';
    const literal = /=\s*\d+\s*$/.test(line);
    return { where: quoteLine(file.rel, i + 1, line), literal, envOnly: !literal && /\$\(|%\(|\$\{/.test(line) };
  }
  return undefined;
}

function proxyTimeout(ctx: ReviewContext): string | undefined {
  for (const file of ctx.files.files) {
    if (file.test || file.doc || file.language) continue;
    if (!/(?:nginx|caddy|traefik|haproxy|envoy|apache|httpd)[^/]*\/|\.conf$|Caddyfile|haproxy\.cfg|traefik\.ya?ml/i.test(file.rel)) continue;
    const lines = ctx.files.text(file).split('\n');
    const i = lines.findIndex((l) => PROXY_TIMEOUT.test(l) && !/^\s*#/.test(l));
    if (i >= 0) return quoteLine(file.rel, i + 1, lines[i] ?? '');
  }
  return undefined;
}

function nodeTimeout(ctx: ReviewContext): { where: string; envOnly: boolean } | undefined {
  for (const file of ctx.files.code({ language: 'javascript', toolConfig: false })) {
    if (file.clientSide) continue;
    const source = ctx.files.lexed(file);
    const m = NODE_TIMEOUT.exec(source.code);
    if (!m) continue;
    const lineNo = source.text.slice(0, m.index).split('\n').length;
    const line = source.text.split('\n')[lineNo - 1] ?? '';
    return { where: quoteLine(file.rel, lineNo, line), envOnly: /process\.env/.test(line) && !/\|\||\?\?|:\s*\d/.test(line) };
  }
  return undefined;
}
