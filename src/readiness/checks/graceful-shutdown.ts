import type { ProjectFile } from '../project-files.js';
import { findDependency, type ReviewContext } from '../review-context.js';
import { findImport } from '../imports.js';
import { findClosing, lineAt, splitArguments, stringAt, type LexedSource } from '../source/lexed-source.js';
import type { ReadinessRule } from './rule.js';

// Libraries that stop a Node server cleanly on SIGTERM.
const SHUTDOWN_LIBRARIES = ['@godaddy/terminus', 'lightship', 'http-terminator', 'close-with-grace', 'stoppable', 'http-graceful-shutdown', 'node-graceful-shutdown', '@moebius/http-graceful-shutdown'];
// Python servers that drain requests and stop their workers on SIGTERM themselves.
const PYTHON_SERVERS = ['gunicorn', 'uvicorn', 'hypercorn', 'daphne', 'waitress', 'uwsgi', 'granian', 'celery'];

// An orchestrator stops a container with SIGTERM; without a handler, requests in flight are cut.
export const gracefulShutdownRule: ReadinessRule = {
  id: 'graceful-shutdown',
  title: 'Graceful shutdown on SIGTERM',
  area: 'error-handling',
  impact:
    'An orchestrator stops the process with SIGTERM on every deploy and scale-down: without a handler that stops accepting work, finishes what is in flight and closes connections, requests are cut and jobs are lost on each release.',
  run(ctx) {
    if (!ctx.service) return { findings: [], notApplicable: 'not a long-running service (no server, worker or deployment manifest found)' };
    const hollow: string[] = [];
    const found = findShutdownHandling(ctx, hollow);
    if (found) return { findings: [], passed: found };
    if (hollow.length > 0) {
      return {
        findings: [
          {
            rule: this.id,
            title: 'The SIGTERM handler does not stop the service',
            severity: 'HIGH',
            location: hollow[0]?.split(': ')[0] ?? '',
            effort: 'S',
            issue: 'A SIGTERM handler replaces the default (exit), so a handler that only logs keeps the process running: the orchestrator waits out its grace period and kills it, cutting requests and leaving connections open on every deploy.',
            evidence: `The handler closes no server or connection and does not exit:\n${hollow.slice(0, 10).join('\n')}`,
            recommendation: 'In the handler: stop accepting requests (server.close()), close the database and queue connections, then exit; exit anyway after a deadline.',
          },
        ],
      };
    }
    return {
      findings: [
        {
          rule: this.id,
          title: 'No graceful shutdown on SIGTERM',
          severity: 'HIGH',
          location:
            "missing: a SIGTERM handler (process.on('SIGTERM', …), signal.signal(signal.SIGTERM, …), loop.add_signal_handler) or a server/library that drains on SIGTERM (terminus, http-terminator, gunicorn, uvicorn)",
          effort: 'S',
          evidence: `The project is a service (${ctx.service}) and no code outside tests handles SIGTERM.`,
          recommendation:
            'On SIGTERM stop accepting requests, let those in flight finish (server.close()), close database and queue connections, then exit; give up after a deadline shorter than the platform\'s grace period.',
        },
      ],
    };
  },
};

function findShutdownHandling(ctx: ReviewContext, hollow: string[]): string | undefined {
  for (const file of ctx.files.code({ toolConfig: false })) {
    if (file.clientSide) continue;
    const found = file.language === 'python' ? findPythonHandler(ctx, file) : findNodeHandler(ctx, file, hollow);
    if (found) return found;
  }
  const library = findImport(ctx.imports, SHUTDOWN_LIBRARIES);
  if (library) return `${library.file.rel}:${library.line} (${library.specifier})`;
  const server = findDependency(ctx, PYTHON_SERVERS, { dev: false });
  if (server) return `${server.location} (${server.name} stops its workers gracefully on SIGTERM)`;
  const next = findDependency(ctx, ['next'], { dev: false });
  if (next) return `${next.location} (next start closes the server on SIGTERM)`;
  return findServerCommand(ctx);
}

const PROCESS_LISTENER = /\bprocess\s*\.\s*(?:on|once|addListener|prependListener|prependOnceListener)\s*\(\s*/g;

/** `process.on('SIGTERM', …)`, or 'SIGTERM' in a list whose items are passed to `process.on(sig, …)`. */
function findNodeHandler(ctx: ReviewContext, file: ProjectFile, hollow: string[]): string | undefined {
  const source = ctx.files.lexed(file);
  let listenerByVariable = false;
  for (const m of source.code.matchAll(PROCESS_LISTENER)) {
    const at = m.index + m[0].length;
    const token = stringAt(source, at);
    if (token?.value === 'SIGTERM') {
      const body = handlerBody(source, m.index + m[0].length - 1);
      if (body === undefined || STOPS.test(body)) return `${file.rel}:${lineAt(source, token.start)}`;
      const first = lineAt(source, m.index);
      const lines = source.text.split('\n');
      const last = Math.min(lines.length, first + Math.max(0, body.split('\n').length - 1), first + 7);
      for (let n = first; n <= last; n++) if ((lines[n - 1] ?? '').trim()) hollow.push(`${file.rel}:${n}: ${(lines[n - 1] ?? '').trim()}`);
      continue;
    }
    if (!token && /^[A-Za-z_$]/.test(source.code.slice(at, at + 1))) listenerByVariable = true;
  }
  if (listenerByVariable) {
    const listed = source.strings.find((s) => s.value === 'SIGTERM' && !/\bkill\s*\([^)]*$/.test(source.code.slice(Math.max(0, s.start - 60), s.start)));
    if (listed) return `${file.rel}:${lineAt(source, listed.start)}`;
  }
  const nest = /\.enableShutdownHooks\s*\(/.exec(source.code);
  return nest ? `${file.rel}:${lineAt(source, nest.index)} (enableShutdownHooks)` : undefined;
}

/** `signal.signal(signal.SIGTERM, …)`, `loop.add_signal_handler(SIGTERM, …)`, or SIGTERM in a loop over signals. */
function findPythonHandler(ctx: ReviewContext, file: ProjectFile): string | undefined {
  const source = ctx.files.lexed(file);
  const direct = /(?:\bsignal\.signal|(?<![\w.])signal|\badd_signal_handler)\s*\(\s*(?:signal\.|Signals\.)?SIGTERM\b/.exec(source.code);
  if (direct) return `${file.rel}:${lineAt(source, direct.index)}`;
  if (!/(?:\bsignal\.signal|\badd_signal_handler)\s*\(\s*[a-z_]\w*\s*,/.test(source.code)) return undefined;
  const listed = /\bSIGTERM\b/.exec(source.code);
  return listed ? `${file.rel}:${lineAt(source, listed.index)}` : undefined;
}

/** A Procfile or Dockerfile that runs a Python server which handles SIGTERM itself. */
function findServerCommand(ctx: ReviewContext): string | undefined {
  for (const file of ctx.files.files) {
    const base = file.rel.slice(file.rel.lastIndexOf('/') + 1);
    if (file.test || !/^(?:Procfile|Dockerfile(?:\..+)?|(?:docker-)?compose(?:\.[\w-]+)?\.ya?ml)$/.test(base)) continue;
    const lines = ctx.files.text(file).split('\n');
    const index = lines.findIndex((l) => !/^\s*#/.test(l) && (new RegExp(`\\b(?:${PYTHON_SERVERS.join('|')})\\b`).test(l) || /["'\s]fastapi["',\s]+run\b/.test(l)));
    if (index >= 0) return `${file.rel}:${index + 1} (served by a server that handles SIGTERM)`;
  }
  return undefined;
}

// What a handler does to stop: close servers and connections, or exit.
const STOPS = /\.(?:close|closeAll|end|disconnect|quit|destroy|stop|shutdown|terminate|drain|\$disconnect)\s*\(|\bprocess\.exit\s*\(|\bprocess\.kill\s*\(|\b(?:shutdown|gracefulShutdown|stop|close|cleanup|exit)\w*\s*\(/i;

/** The code of the listener given to `process.on(` (open paren at `open`): inline, or a function named in the file; undefined when it cannot be read. */
function handlerBody(source: LexedSource, open: number): string | undefined {
  const args = splitArguments(source.code, open);
  const handler = args[1];
  if (!handler) return undefined;
  if (/^(?:async\s*)?(?:function\b|\(|[\w$]+\s*=>)/.test(handler.code)) return handler.code;
  const name = /^[\w$.]+$/.exec(handler.code)?.[0];
  if (!name || name.includes('.')) return undefined;
  const def = new RegExp(`(?:function\\s+${name}\\s*\\(|(?:const|let|var)\\s+${name}\\s*=)`).exec(source.code);
  if (!def) return undefined;
  const brace = source.code.indexOf('{', def.index);
  if (brace < 0) return undefined;
  const arrowLine = source.code.slice(def.index, brace);
  if (/=>\s*[^\s{]/.test(arrowLine)) return arrowLine;
  return source.code.slice(def.index, findClosing(source.code, brace));
}
