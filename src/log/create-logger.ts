import path from 'node:path';
import pino, { type DestinationStream, type Logger } from 'pino';
import { openProjectLog, pruneProjectLog, type LogFileRetention } from './project-log-file.js';
import { ExitCode, LoopError } from '../errors.js';
import { toStorageError } from '../workspace/storage-error.js';
import { redactSecrets } from './redact-secrets.js';
import { makeDirs } from '../workspace/make-dirs.js';

export type { Logger } from 'pino';

/** Without a contract at hand: the contract's defaults for `logs`. */
export const DEFAULT_LOG_FILE_RETENTION: LogFileRetention = { keepRuns: 20, maxBytes: 256 * 1024 * 1024 };

/**
 * JSON lines in `.aibrain/logs/<project>.jsonl`, run_id and task_id on every line, secrets
 * redacted. Synchronous writes: a crash loses no line that was logged. Bounded (the contract's
 * `logs`): lines of runs older than the newest `keep_runs` are pruned when a run opens the log, and
 * the file rotates into `<project>.1.jsonl` so both stay within a quarter of `max_bytes`.
 * A file that cannot be opened is a LoopError naming it; a line that cannot be written (disk full)
 * never throws into the caller: `onWriteError` hears of the first failure and no further line is tried.
 */
export function createLogger(
  logsDir: string,
  project: string,
  runId: string,
  level = 'info',
  onWriteError?: (error: LoopError) => void,
  retention: LogFileRetention = DEFAULT_LOG_FILE_RETENTION,
): Logger {
  const file = path.join(logsDir, `${project}.jsonl`);
  let destination: { write(line: string): void };
  try {
    makeDirs(logsDir);
    pruneProjectLog(file, retention);
    destination = openProjectLog(file, retention);
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
