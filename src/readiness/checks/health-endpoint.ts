import type { ProjectFile } from '../project-files.js';
import type { ReviewContext } from '../review-context.js';
import { findImport } from '../imports.js';
import { lineAt } from '../source/lexed-source.js';
import type { DraftFinding } from '../types.js';
import type { ReadinessRule } from './rule.js';

// A route path that is a health, liveness or readiness probe.
const HEALTH_PATH =
  /^\^?\/?(?:[\w.-]+\/)*(?:_?health(?:z|check|-check|_check)?|ready(?:z)?|readiness|live(?:z)?|liveness|heartbeat|ping)\/?\$?$|^\/(?:api\/)?(?:v\d+\/)?status\/?$/i;
// File-based routes (Next.js, SvelteKit, Nuxt): the file's path is the route.
const FILE_ROUTE = /(?:^|\/)(?:pages|app|routes|server)\/(?:api\/)?(?:_?health\w*|healthz|ready\w*|live\w*|ping|heartbeat)(?:\/(?:route|index|\+server))?\.[cm]?[jt]sx?$/i;
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
        location: 'missing: a health route in the code (/health, /healthz, /ready, /readyz, /livez, /ping, or a health-check library)',
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
    return found ? { findings, passed: found } : { findings };
  },
};

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
  const source = ctx.files.lexed(file);
  for (const token of source.strings) {
    if (token.interpolated || !HEALTH_PATH.test(token.value)) continue;
    const bare = !token.value.replace(/^\^/, '').startsWith('/');
    if (bare && !ROUTE_CALL.test(source.code.slice(Math.max(0, token.start - 40), token.start))) continue;
    return `${file.rel}:${lineAt(source, token.start)} ("${token.value}")`;
  }
  return undefined;
}
