import { setTimeout as sleep } from 'node:timers/promises';
import { InterruptError } from '../../errors.js';
import { runCommand } from '../run-command.js';
import type { HealthCheckConfig } from '../project-config.js';
import { interpolate } from './command-variables.js';

/** The result of a health check, JSON-serialisable for the step journal. */
export interface HealthOutcome {
  ok: boolean;
  attempts: number;
  /** The URL or the command probed. */
  probe: string;
  /** The last attempt's result in one line ("HTTP 200", "no answer within 2000 ms", ...). */
  detail: string;
  durationMs: number;
}

export interface HealthCheckOptions {
  /** Values of `${NAME}` in the URL, command and body_contains; the command's whole environment (commandEnvironment). */
  variables: Record<string, string>;
  /** Where a health check command runs. */
  cwd: string;
  signal?: AbortSignal;
  onAttempt?: (attempt: number, ok: boolean, detail: string) => void;
}

const MAX_BACKOFF_MS = 30_000;

/**
 * Probes until one attempt passes or `retries` more attempts failed: an HTTP GET expecting a
 * status (and optionally a piece of the body), or a command expecting exit 0. Each attempt has its
 * own timeout; the wait between attempts doubles from `backoffMs`. Cut off by `signal`: throws
 * InterruptError (an interrupted check says nothing about the service).
 */
export async function checkHealth(check: HealthCheckConfig, options: HealthCheckOptions): Promise<HealthOutcome> {
  const started = Date.now();
  const probe = check.url !== undefined ? interpolate(check.url, options.variables) : (check.command ?? []).map((a) => interpolate(a, options.variables)).join(' ');
  let detail = 'not run';
  for (let attempt = 1; attempt <= check.retries + 1; attempt++) {
    if (options.signal?.aborted) throw new InterruptError(`health check of ${probe} was interrupted`);
    const result = check.url !== undefined ? await probeHttp(check, options) : await probeCommand(check, options);
    detail = result.detail;
    options.onAttempt?.(attempt, result.ok, detail);
    if (result.ok) return { ok: true, attempts: attempt, probe, detail, durationMs: Date.now() - started };
    if (attempt <= check.retries) {
      const wait = Math.min(check.backoffMs * 2 ** (attempt - 1), MAX_BACKOFF_MS);
      try {
        await sleep(wait, undefined, options.signal ? { signal: options.signal } : undefined);
      } catch {
        throw new InterruptError(`health check of ${probe} was interrupted`);
      }
    }
  }
  if (options.signal?.aborted) throw new InterruptError(`health check of ${probe} was interrupted`);
  return { ok: false, attempts: check.retries + 1, probe, detail, durationMs: Date.now() - started };
}

async function probeHttp(check: HealthCheckConfig, options: HealthCheckOptions): Promise<{ ok: boolean; detail: string }> {
  const url = interpolate(check.url ?? '', options.variables);
  const timeout = AbortSignal.timeout(check.timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  try {
    const response = await fetch(url, { signal, redirect: 'manual', headers: { 'cache-control': 'no-cache' } });
    const body = await response.text();
    const excerpt = oneLine(body).slice(0, 200);
    if (response.status !== check.expectedStatus) {
      return { ok: false, detail: `HTTP ${response.status} (expected ${check.expectedStatus})${excerpt ? `: ${excerpt}` : ''}` };
    }
    if (check.bodyContains !== undefined) {
      const wanted = interpolate(check.bodyContains, options.variables);
      if (!body.includes(wanted)) return { ok: false, detail: `HTTP ${response.status} but the body lacks ${JSON.stringify(wanted)}: ${excerpt}` };
    }
    return { ok: true, detail: `HTTP ${response.status}` };
  } catch (error) {
    if (timeout.aborted) return { ok: false, detail: `no answer within ${check.timeoutMs} ms` };
    if (options.signal?.aborted) return { ok: false, detail: 'cancelled' };
    return { ok: false, detail: `cannot reach ${url}: ${describeFetchError(error)}` };
  }
}

async function probeCommand(check: HealthCheckConfig, options: HealthCheckOptions): Promise<{ ok: boolean; detail: string }> {
  const argv = (check.command ?? []).map((a) => interpolate(a, options.variables));
  const result = await runCommand({
    argv,
    cwd: options.cwd,
    env: options.variables,
    inheritEnv: false,
    timeoutMs: check.timeoutMs,
    ...(options.signal ? { signal: options.signal } : {}),
    maxOutputChars: 16 * 1024,
  });
  if (result.ok) return { ok: true, detail: 'exit 0' };
  const how = result.timedOut ? `no answer within ${check.timeoutMs} ms` : result.exitCode === null ? 'could not start' : `exit ${result.exitCode}`;
  const tail = oneLine(result.output).slice(-200);
  return { ok: false, detail: `${how}${tail ? `: ${tail}` : ''}` };
}

function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
