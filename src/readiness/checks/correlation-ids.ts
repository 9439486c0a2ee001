import { findImport } from '../imports.js';
import { lineAt } from '../source/lexed-source.js';
import type { ReadinessRule } from './rule.js';

const LIBRARIES = [
  'cls-rtracer', 'express-request-id', 'correlation-id', 'express-correlation-id', 'pino-http', 'nestjs-pino', 'nestjs-cls', '@nestjs/cls', 'express-http-context', 'request-ip-id', 'hyperid',
  '@opentelemetry/api', '@opentelemetry/sdk-node', 'dd-trace', 'elastic-apm-node', 'newrelic', '@sentry/node',
  'asgi_correlation_id', 'django_guid', 'flask_request_id', 'request_id', 'opentelemetry', 'ddtrace', 'elasticapm', 'sentry_sdk', 'structlog',
];
const ID_WORDS = /^(?:x-request-id|x-correlation-id|x-trace-id|x-amzn-trace-id|traceparent|request[-_]id|correlation[-_]id|%\(request_id\)s|%\(correlation_id\)s)$/i;

// One id per request, in every log line, is how an operator follows a request across services.
export const correlationIdsRule: ReadinessRule = {
  id: 'correlation-ids',
  title: 'Correlation ids for request tracing',
  area: 'logging',
  impact: 'Without an id per request carried into every log line, the lines of one failing request cannot be told from the thousands around it, nor followed into the services it called.',
  snippets: {
    express: "import pinoHttp from 'pino-http';\nimport { randomUUID } from 'node:crypto';\napp.use(pinoHttp({ genReqId: (req, res) => { const id = req.headers['x-request-id'] ?? randomUUID(); res.setHeader('x-request-id', id); return id; } }));",
    nestjs: "LoggerModule.forRoot({ pinoHttp: { genReqId: (req) => req.headers['x-request-id'] ?? randomUUID() } })  // nestjs-pino",
    fastapi: 'from asgi_correlation_id import CorrelationIdMiddleware\napp.add_middleware(CorrelationIdMiddleware)  # and %(correlation_id)s in the log format',
    flask: '@app.before_request\ndef request_id():\n    g.request_id = request.headers.get("X-Request-ID", str(uuid.uuid4()))',
    django: "MIDDLEWARE = ['django_guid.middleware.guid_middleware', ...]  # django-guid adds the id to every log record",
  },
  run(ctx) {
    if (!ctx.webApp) return { findings: [], notApplicable: 'not a web app' };
    if (ctx.stack === 'fastify') return { findings: [], passed: "Fastify's logger gives every request an id (reqId) and logs it" };
    const library = findImport(ctx.imports, LIBRARIES);
    if (library) return { findings: [], passed: `${library.file.rel}:${library.line} (${library.specifier})` };
    for (const file of ctx.files.code({ toolConfig: false })) {
      if (file.clientSide) continue;
      const source = ctx.files.lexed(file);
      const id = source.strings.find((s) => ID_WORDS.test(s.value));
      // A field named requestId proves nothing; the header read or set, or a library, does.
      if (id) return { findings: [], passed: `${file.rel}:${lineAt(source, id.start)} ("${id.value}")` };
    }
    return {
      findings: [
        {
          rule: this.id,
          title: 'No correlation id on requests',
          severity: 'MEDIUM',
          location: 'missing: a request/correlation id (X-Request-ID, pino-http, cls-rtracer, asgi-correlation-id, django-guid, OpenTelemetry)',
          effort: 'S',
          evidence: `The project is a web app (${ctx.webApp}) and no code outside tests reads or sets a request id (X-Request-ID, correlation_id, request_id) or uses a tracing library.`,
          recommendation: 'Take the X-Request-ID header (or make one), put it on every log line of the request and on outgoing calls, and return it in the response.',
        },
      ],
    };
  },
};
