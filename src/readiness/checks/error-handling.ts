import type { ProjectFile } from '../project-files.js';
import type { ReviewContext } from '../review-context.js';
import { findClosing, lineAt, type LexedSource } from '../source/lexed-source.js';
import { findSwallowedExceptions } from '../source/syntax-queries.js';
import type { DraftFinding } from '../types.js';
import { listEvidence, quoteLine, type ReadinessRule } from './rule.js';

// Express-style error middleware: four parameters, the first the error.
const EXPRESS_HANDLER = /(?:function\s*\w*\s*\(|\()\s*(?:err|error|e|ex|exception)\b[^,()]*,\s*\w+[^,()]*,\s*\w+[^,()]*,\s*\w+[^,()]*,?\s*\)\s*(?::\s*[\w<>]+\s*)?(?:=>\s*)?\{/g;
// A line that only acts in development or debug mode.
const DEV_ONLY_LINE = /['"`](?:development|dev|local)['"`]|\bisDev(?:elopment)?\b|\bDEBUG\b|\bdebug\s*&&/;
// Sending the error's message or stack in a response.
const LEAK_JS = /\.(?:json|send|end|render)\s*\([^;]*\b(?:err|error|e|ex|exception)\s*\.\s*(?:message|stack)\b|\b(?:message|stack|error)\s*:\s*(?:err|error|e|ex|exception)\s*\.\s*(?:message|stack)\b/;
const LEAK_PY = /\b(?:str|repr)\s*\(\s*(?:e|exc|err|error|ex|exception)\s*\)|\btraceback\.format_exc\s*\(|\b(?:e|exc|err|error|ex|exception)\.args\b/;

// The standard asks for global exception handlers; what they send back matters as much.
export const errorHandlingRule: ReadinessRule = {
  id: 'error-handling',
  title: 'Global error handling',
  area: 'error-handling',
  impact:
    'Errors that nobody catches, or that are sent back as they are, either crash the process, leave requests hanging, or hand internals (messages, stack traces, SQL) to whoever sent the request.',
  snippets: {
    express:
      "app.use((err, req, res, next) => {\n  logger.error({ err, requestId: req.id }, 'unhandled error');\n  res.status(err.status ?? 500).json({ error: err.expose ? err.message : 'Internal Server Error', requestId: req.id });\n});",
    nestjs:
      "@Catch()\nexport class AllExceptionsFilter implements ExceptionFilter {\n  catch(exception: unknown, host: ArgumentsHost) {\n    const res = host.switchToHttp().getResponse();\n    const status = exception instanceof HttpException ? exception.getStatus() : 500;\n    res.status(status).json({ statusCode: status, message: status < 500 ? (exception as HttpException).message : 'Internal Server Error' });\n  }\n}",
    fastapi:
      '@app.exception_handler(Exception)\nasync def unhandled(request: Request, exc: Exception):\n    logger.exception("unhandled error", extra={"path": request.url.path})\n    return JSONResponse(status_code=500, content={"detail": "Internal Server Error"})',
    flask: '@app.errorhandler(Exception)\ndef unhandled(exc):\n    app.logger.exception("unhandled error")\n    return {"error": "Internal Server Error"}, 500',
    django: '# settings.py\nDEBUG = env.bool("DEBUG", default=False)\nLOGGING = {... "loggers": {"django.request": {"level": "ERROR", "handlers": ["console"]}}}',
    python: 'except SomeError:\n    logger.exception("what failed, with the ids")\n    raise',
  },
  async run(ctx) {
    const findings: DraftFinding[] = [];
    const leaks: string[] = [];
    const handlers: string[] = [];
    const swallowed: string[] = [];
    for (const file of ctx.files.code({ toolConfig: false })) {
      if (file.clientSide) continue;
      const source = ctx.files.lexed(file);
      if (file.language === 'python') {
        scanPython(file, source, { leaks, handlers, swallowed });
        const lines = source.text.split('\n');
        for (const line of await findSwallowedExceptions(source.text)) swallowed.push(quoteLine(file.rel, line, lines[line - 1] ?? ''));
      } else {
        scanJavaScript(file, source, { leaks, handlers, swallowed });
      }
    }
    if (leaks.length > 0) {
      findings.push({
        rule: this.id,
        title: 'Error handler sends internal error details to clients',
        severity: 'HIGH',
        area: 'error-handling',
        location: leaks[0]?.split(': ')[0] ?? '',
        effort: 'S',
        issue: 'The handler returns the exception\'s message or stack to the client: database errors, file paths, library internals and sometimes data of other users reach whoever sent the request.',
        evidence: listEvidence(leaks),
        recommendation: 'Log the error with its details and a request id; send the client a generic message (and the request id) for 5xx errors.',
      });
    }
    if (ctx.webApp && handlers.length === 0 && needsOwnHandler(ctx)) {
      findings.push({
        rule: this.id,
        title: 'No global error handler',
        severity: 'MEDIUM',
        location: `missing: ${ctx.stack === 'express' ? 'an Express error middleware app.use((err, req, res, next) => …)' : 'a global error handler'}`,
        effort: 'S',
        evidence: `The project is a web app (${ctx.webApp}) on ${ctx.stack} and no global error handler was found outside tests; Express's default handler answers with an HTML page and, unless NODE_ENV=production, the stack trace.`,
        recommendation: 'Register one error handler last: log the error with the request id, answer with a JSON body and the right status.',
      });
    }
    if (swallowed.length > 0) {
      findings.push({
        rule: this.id,
        title: `${swallowed.length} place${swallowed.length === 1 ? '' : 's'} swallow exceptions silently`,
        severity: 'MEDIUM',
        location: swallowed[0]?.split(': ')[0] ?? '',
        effort: swallowed.length > 10 ? 'M' : 'S',
        issue: 'An exception caught and dropped without a log line leaves no trace: the operation fails (or half-succeeds) and nobody finds out until the data is wrong.',
        evidence: listEvidence(swallowed.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))),
        recommendation: 'Catch only the exceptions you expect, and log (or re-raise) what you catch; never `except: pass` or an empty catch block.',
        snippet: ctx.stack === 'express' || ctx.stack === 'nestjs' || ctx.stack === 'fastify' || ctx.stack === 'node' ? "} catch (err) {\n  logger.warn({ err }, 'cache refresh failed; serving stale data');\n}" : 'except (ConnectionError, TimeoutError):\n    logger.warning("cache refresh failed; serving stale data", exc_info=True)',
      });
    }
    if (findings.length > 0) return { findings };
    return { findings: [], passed: handlers[0] ?? (ctx.webApp ? `${ctx.stack}'s own handler answers 500 without details` : 'no exception is swallowed silently') };
  },
};

/** Express and bare Node leave error responses to the app; NestJS, Fastify, FastAPI, Flask and Django answer 500 without details by themselves. */
function needsOwnHandler(ctx: ReviewContext): boolean {
  return ctx.stack === 'express';
}

interface Found {
  leaks: string[];
  handlers: string[];
  swallowed: string[];
}

function scanJavaScript(file: ProjectFile, source: LexedSource, out: Found): void {
  const lines = source.text.split('\n');
  const quote = (offset: number): string => {
    const line = lineAt(source, offset);
    return quoteLine(file.rel, line, lines[line - 1] ?? '');
  };
  for (const m of source.code.matchAll(EXPRESS_HANDLER)) {
    const open = m.index + m[0].length - 1;
    const body = bodyText(source, open);
    out.handlers.push(quote(m.index));
    if (LEAK_JS.test(body.text)) {
      const at = open + body.leakAt(LEAK_JS);
      // `...(env === 'development' && { stack: err.stack })`: only development sees the details.
      if (!DEV_ONLY_LINE.test(lines[lineAt(source, at) - 1] ?? '')) out.leaks.push(quote(at));
    }
  }
  // NestJS exception filters and Fastify error handlers that answer with the message.
  for (const m of source.code.matchAll(/@Catch\s*\(|\.setErrorHandler\s*\(/g)) {
    const open = source.code.indexOf('{', m.index);
    if (open < 0) continue;
    const body = bodyText(source, open);
    out.handlers.push(quote(m.index));
    if (/\b(?:exception|err|error)\s*\.\s*(?:stack)\b/.test(body.text) || (/\bmessage\s*:\s*(?:exception|err|error)\s*\.\s*message\b/.test(body.text) && !/getStatus|statusCode\s*<\s*500|status\s*<\s*500|instanceof\s+HttpException/.test(body.text))) {
      out.leaks.push(quote(open));
    }
  }
  for (const m of source.code.matchAll(/\bcatch\s*(?:\(\s*[\w$]*\s*(?::\s*\w+\s*)?\))?\s*\{\s*\}/g)) out.swallowed.push(quote(m.index));
  for (const m of source.code.matchAll(/\.catch\s*\(\s*\(\s*[\w$]*\s*\)\s*=>\s*(?:\{\s*\}|undefined|null)\s*\)/g)) out.swallowed.push(quote(m.index));
}

function scanPython(file: ProjectFile, source: LexedSource, out: Found): void {
  const lines = source.text.split('\n');
  const quote = (offset: number): string => {
    const line = lineAt(source, offset);
    return quoteLine(file.rel, line, lines[line - 1] ?? '');
  };
  for (const m of source.code.matchAll(/@\s*[\w.]+\.(?:exception_handler|errorhandler|app_errorhandler)\s*\(|\badd_exception_handler\s*\(|\bregister_error_handler\s*\(/g)) {
    out.handlers.push(quote(m.index));
    const def = /\bdef\s+\w+\s*\([^)]*\)[^:]*:/g;
    def.lastIndex = m.index;
    const d = def.exec(source.code);
    if (!d) continue;
    const end = nextTopLevel(source.code, d.index + d[0].length);
    const body = source.code.slice(d.index, end);
    const leak = LEAK_PY.exec(body);
    if (leak && /\breturn\b|Response\s*\(|jsonify\s*\(/.test(body)) out.leaks.push(quote(d.index + leak.index));
  }
  if (/(?:^|\/)settings(?:\/(?:prod|production))?\.py$/.test(file.rel)) {
    const debug = /^DEBUG[ \t]*=[ \t]*True\b/m.exec(source.code);
    if (debug) out.leaks.push(`${quote(debug.index)} (Django's debug page shows settings, SQL and stack traces to every visitor)`);
  }
}

/** The text of the block opened at `open` (strings blanked in `code`, kept in `text` for reading). */
function bodyText(source: LexedSource, open: number): { text: string; leakAt: (re: RegExp) => number } {
  const end = findClosing(source.code, open);
  const text = source.code.slice(open, end);
  return { text, leakAt: (re) => Math.max(0, re.exec(text)?.index ?? 0) };
}

/** Offset of the next line that starts at column 0 with code (the end of an indented block). */
function nextTopLevel(code: string, from: number): number {
  const re = /^[^\s#]/gm;
  re.lastIndex = code.indexOf('\n', from) + 1 || code.length;
  return re.exec(code)?.index ?? code.length;
}
