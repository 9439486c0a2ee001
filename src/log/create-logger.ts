import { mkdirSync } from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { redactSecrets } from './redact-secrets.js';

export type { Logger } from 'pino';

/**
 * JSON lines in `.aibrain/logs/<project>.jsonl`, run_id and task_id on every line, secrets
 * redacted. Synchronous writes: a crash loses no line that was logged.
 */
export function createLogger(logsDir: string, project: string, runId: string, level = 'info'): Logger {
  mkdirSync(logsDir, { recursive: true });
  const destination = pino.destination({ dest: path.join(logsDir, `${project}.jsonl`), sync: true, mkdir: true });
  return pino(
    {
      level,
      base: { run_id: runId, task_id: null, project },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: ['*.password', '*.token', '*.secret', '*.apiKey', '*.api_key', 'env', '*.env'], censor: '[REDACTED]' },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? redactSecrets(a) : a)) as Parameters<typeof method>);
        },
      },
      formatters: {
        log(object) {
          return JSON.parse(redactSecrets(JSON.stringify(object))) as Record<string, unknown>;
        },
      },
    },
    destination,
  );
}

/** A logger that drops everything: for commands that only read. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
