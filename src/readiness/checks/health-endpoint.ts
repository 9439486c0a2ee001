import type { ProjectFile } from '../project-files.js';
import type { ReviewContext } from '../review-context.js';
import { findImport } from '../imports.js';
import { findClosing, lineAt, type LexedSource } from '../source/lexed-source.js';
import { DATASTORE_PACKAGES } from '../stack.js';
import type { DraftFinding } from '../types.js';
import type { ReadinessRule } from './rule.js';

// A route path that is a health, liveness or readiness probe.
const HEALTH_PATH =
  /^\^?\/?(?:[\w.-]+\/)*(?:_?health(?:z|check|-check|_check)?|ready(?:z)?|readiness|live(?:z)?|liveness|heartbeat)\/?\$?$|^\^?\/?(?:api\/)?(?:v\d+\/)?status\/?\$?$/i;
// Not the service's code paths: migrations, seeds and fixtures hold strings that look like routes.
const NOT_ROUTES = /(?:^|\/)(?:migrations?|alembic|seeds?|seeders|fixtures)\//;
// File-based routes (Next.js, SvelteKit, Nuxt): the file's path is the route.
const FILE_ROUTE = /(?:^|\/)(?:pages|app|routes|server)\/(?:api\/)?(?:_?health\w*|healthz|ready\w*|live\w*|heartbeat|status)(?:\/(?:route|index|\+server))?\.[cm]?[jt]sx?$/i;
// Calls whose first argument is a route even without a leading slash (Django, NestJS).
const ROUTE_CALL = /(?:@(?:Controller|Get|Head)|\b(?:re_)?path|\burl)\s*\(\s*$/;
// Libraries that serve a health endpoint for the app.
const HEALTH_LIBRARIES = [
  '@godaddy/terminus', 'lightship', '@nestjs/terminus', 'express-healthcheck', 'express-actuator', 'fastify-healthcheck', '@fastify/under-pressure',
  'health_check', 'flask_healthz', 'healthcheck', 'fastapi_health', 'django_health_check', 'watchman',
];

// Deployments and load balancers need something to ask "are you up?".
export const healthEndpointRule: ReadinessRule = {
  id: 'health-endpoint',
  title: 'Health endpoint',
  area: 'health',
  impact:
    'Load balancers, orchestrators and the deployment itself cannot tell a healthy instance from a broken one: a bad release is reported as deployed and traffic keeps going to instances that fail.',
  run(ctx) {
    if (!ctx.webApp) return { findings: [], notApplicable: 'not a web app (no HTTP framework or server found)' };
    const found = findHealthEndpoint(ctx);
    const findings: DraftFinding[] = [];
    if (!found) {
      findings.push({
        rule: this.id,
        title: 'No health endpoint',
        severity: 'HIGH',
        location: 'missing: a health route in the code (/health, /healthz, /ready, /readyz, /livez, /status, or a health-check library; a product route such as /ping does not count)',
        effort: 'S',
        evidence: `The project is a web app (${ctx.webApp}) but no route or library serving a health check was found outside tests.`,
        recommendation:
          'Add a /health (liveness) endpoint, and a /ready one that checks the dependencies, and set environments.<env>.health_check in the project file to it.',
      });
    }
    if (found && ctx.input.healthCheckConfigured === false) {
      findings.push({
        rule: this.id,
        title: 'Health check not configured in the project file',
        severity: 'HIGH',
        location: `missing: environments.${ctx.input.environment}.health_check (or defaults.health_check) in governance/projects/${ctx.input.project}.yaml`,
        effort: 'S',
        evidence: `The code serves ${found} but the deployment does not check it, so a broken release is reported as deployed.`,
        recommendation: `Add health_check: { url: <the service's health URL> } for ${ctx.input.environment} in governance/projects/${ctx.input.project}.yaml.`,
      });
    }
    const shallow = found ? shallowHealth(ctx) : undefined;
    if (shallow) {
      findings.push({
        rule: this.id,
        title: 'Health endpoint checks no dependency',
        severity: 'MEDIUM',
        location: shallow.location,
        effort: 'S',
        issue: `The service depends on ${shallow.dependsOn}, but its health endpoint answers "healthy" without touching it: with the database down the instance keeps receiving traffic and every request fails, while the health check says all is well.`,
        evidence: shallow.evidence,
        recommendation: 'Keep a cheap liveness endpoint, and add a readiness check that pings each critical dependency (a `SELECT 1`, a Redis PING) with a short timeout and answers 503 when one fails.',
      });
    }
    return found ? { findings, passed: found } : { findings };
  },
  snippets: {
    express:
      "app.get('/ready', async (req, res) => {\n  try {\n    await db.query('SELECT 1');\n    res.json({ status: 'ok' });\n  } catch (err) {\n    res.status(503).json({ status: 'unavailable', check: 'database' });\n  }\n});",
    nestjs:
      "@Get('health')\n@HealthCheck()\ncheck() {\n  return this.health.check([() => this.db.pingCheck('database', { timeout: 1000 })]);\n}",
    fastapi:
      '@app.get("/health")\nasync def health(session: SessionDep):\n    try:\n        session.exec(select(1))\n    except Exception:\n        return JSONResponse(status_code=503, content={"status": "unhealthy", "database": False})\n    return {"status": "healthy", "database": True}',
    flask: '@app.get("/health")\ndef health():\n    try:\n        db.session.execute(text("SELECT 1"))\n    except Exception:\n        return {"status": "unhealthy"}, 503\n    return {"status": "healthy"}',
    django: '# urls.py: path("health/", include("health_check.urls"))  # django-health-check with health_check.db',
    default: 'GET /health -> 200 {"status":"healthy","checks":{"database":true}} or 503 when a dependency fails',
  },
};

// Words of a handler that touches a dependency.
const TOUCHES = /\b(?:db|database|session|engine|pool|query|execute|exec|ping|redis|cache|connection|connect|cursor|prisma|mongoose|sequelize|knex|typeorm|dataSource|check\w*|health_check|isHealthy|HealthCheckService|indicator|SELECT)\b/i;

/** The health handler's body when the service depends on a datastore and the handler touches none. */
function shallowHealth(ctx: ReviewContext): { location: string; evidence: string; dependsOn: string } | undefined {
  const store = ctx.deps.find((d) => !d.dev && DATASTORE_PACKAGES.includes(d.name));
  if (!store) return undefined;
  const code = ctx.files.code({ toolConfig: false }).filter((f) => !f.clientSide && !NOT_ROUTES.test(f.rel));
  for (const file of code) {
    const source = ctx.files.lexed(file);
    for (const token of source.strings) {
      if (token.interpolated || !HEALTH_PATH.test(token.value) || !isRoute(source, token)) continue;
      const body = handlerBody(source, token.end, file.language === 'python') ?? namedView(ctx, source, token.end);
      if (!body) continue;
      if (TOUCHES.test(body.code)) return undefined;
      const lines = source.text.split('\n').slice(lineAt(source, token.start) - 1, body.lastLine);
      const first = lineAt(source, token.start);
      return {
        location: `${file.rel}:${first}`,
        dependsOn: `${store.name} (${store.location})`,
        evidence: lines.slice(0, 8).map((l, i) => `${file.rel}:${first + i}: ${l.trim()}`).filter((l) => !l.endsWith(': ')).join('\n'),
      };
    }
  }
  return undefined;
}

/** The code of the handler that follows a route string: the next `{…}` block (JS) or the next def's body (Python). */
function handlerBody(source: LexedSource, from: number, python: boolean): { code: string; lastLine: number } | undefined {
  const { code } = source;
  if (!python) {
    const open = code.indexOf('{', from);
    if (open < 0 || open - from > 400) return undefined;
    const end = findClosing(code, open);
    return { code: code.slice(open, end), lastLine: lineAt(source, end - 1) };
  }
  const def = /\bdef\s+\w+\s*\(/g;
  def.lastIndex = from;
  const d = def.exec(code);
  if (!d || d.index - from > 400) return undefined;
  const lineStart = code.lastIndexOf('\n', d.index) + 1;
  const indent = d.index - lineStart;
  const rest = code.slice(code.indexOf('\n', d.index) + 1);
  const stop = new RegExp(`^[ \\t]{0,${indent}}\\S`, 'm').exec(rest);
  const end = stop ? code.indexOf('\n', d.index) + 1 + stop.index : code.length;
  return { code: code.slice(code.indexOf('\n', d.index) + 1, end), lastLine: lineAt(source, Math.max(d.index, end - 1)) };
}

/** `src/app.ts:12 ("/health")`, or undefined. */
export function findHealthEndpoint(ctx: ReviewContext): string | undefined {
  const code = ctx.files.code({ toolConfig: false }).filter((f) => !f.clientSide || FILE_ROUTE.test(f.rel));
  const fileRoute = code.find((f) => FILE_ROUTE.test(f.rel));
  if (fileRoute) return `${fileRoute.rel}:1 (a file-based route)`;
  for (const file of code) {
    const route = findHealthRoute(ctx, file);
    if (route) return route;
  }
  const library = findImport(ctx.imports, HEALTH_LIBRARIES);
  if (library) return `${library.file.rel}:${library.line} (${library.specifier})`;
  for (const file of ctx.files.code({ language: 'python', toolConfig: false })) {
    const source = ctx.files.lexed(file);
    const app = source.strings.find((s) => /^(?:health_check|watchman)(?:\.|$)/.test(s.value));
    if (app) return `${file.rel}:${lineAt(source, app.start)} ("${app.value}")`;
  }
  return undefined;
}

function findHealthRoute(ctx: ReviewContext, file: ProjectFile): string | undefined {
  if (NOT_ROUTES.test(file.rel)) return undefined;
  const source = ctx.files.lexed(file);
  for (const token of source.strings) {
    if (token.interpolated || !HEALTH_PATH.test(token.value) || !isRoute(source, token)) continue;
    return `${file.rel}:${lineAt(source, token.start)} ("${token.value}")`;
  }
  return undefined;
}

/** The string is a route: the first argument of a routing call, or a path with a leading slash. */
function isRoute(source: LexedSource, token: { start: number; value: string }): boolean {
  const before = source.code.slice(Math.max(0, token.start - 40), token.start);
  if (ROUTE_CALL.test(before)) return true;
  if (!token.value.replace(/^\^/, '').startsWith('/')) return false;
  // A routing call, a route option, or a plain server comparing the path (`url.pathname === '/health'`, `case '/health':`).
  return /(?:\.(?:get|head|all|use|route|api_route|add_url_rule|add_api_route)|@(?:Get|Head|Controller)|\bpath|\broute|\bRoute)\s*\(\s*$|\b(?:path|url|route)\s*:\s*$|(?:pathname|url|path)\s*===?\s*$|\bcase\s+$/.test(before);
}

/** Django and friends: `path("status/", views.status)` → the body of `def status(` in the project's code. */
function namedView(ctx: ReviewContext, source: LexedSource, from: number): { code: string; lastLine: number } | undefined {
  const rest = source.code.slice(from, from + 200);
  const name = /^\s*,\s*(?:[\w.]+\.)?(\w+)(?:\.as_view\s*\(\s*\))?/.exec(rest)?.[1];
  if (!name) return undefined;
  for (const file of ctx.files.code({ toolConfig: false })) {
    if (NOT_ROUTES.test(file.rel)) continue;
    const lexed = ctx.files.lexed(file);
    const def = new RegExp(`\\b(?:def|class)\\s+${name}\\b`).exec(lexed.code);
    if (!def) continue;
    return handlerBody(lexed, Math.max(0, def.index - 1), file.language === 'python');
  }
  return undefined;
}
