import { mkdirSync } from 'node:fs';
import path from 'node:path';
import pino, { type DestinationStream, type Logger } from 'pino';
import { ExitCode, LoopError } from '../errors.js';
import { toStorageError } from '../workspace/storage-error.js';
import { redactSecrets } from './redact-secrets.js';

export type { Logger } from 'pino';

/**
 * JSON lines in `.aibrain/logs/<project>.jsonl`, run_id and task_id on every line, secrets
 * redacted. Synchronous writes: a crash loses no line that was logged. A file that cannot be
 * opened is a LoopError (exit 2) naming it; a line that cannot be written (disk full) never throws
 * into the caller: `onWriteError` hears of the first failure and no further line is tried.
 */
export function createLogger(logsDir: string, project: string, runId: string, level = 'info', onWriteError?: (error: LoopError) => void): Logger {
  const file = path.join(logsDir, `${project}.jsonl`);
  let destination: DestinationStream;
  try {
    mkdirSync(logsDir, { recursive: true });
    destination = pino.destination({ dest: file, sync: true, mkdir: true });
  } catch (e) {
    throw toStorageError(e, file, 'open the log') ?? e;
  }
  let failed = false;
  const guarded: DestinationStream = {
    write(line: string): void {
      if (failed) return;
      try {
        destination.write(line);
      } catch (e) {
        failed = true;
        onWriteError?.(toStorageError(e, file, 'write the log') ?? new LoopError(`${file}: cannot write the log (${String(e)})`, ExitCode.storageFailed));
      }
    },
  };
  return pino(
    {
      level,
      base: { run_id: runId, project },
      // task_id on every line, once: null on the run's own lines, the task's in a task's child logger.
      mixin: (_object, _level, logger) => ('task_id' in (logger as pino.Logger).bindings() ? {} : { task_id: null }),
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
    guarded,
  );
}

/** A logger that drops everything: for commands that only read. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
