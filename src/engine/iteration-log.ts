import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { redactSecrets } from '../log/redact-secrets.js';
import type { Workspace } from '../workspace/paths.js';
import { makeDirs } from '../workspace/make-dirs.js';

export interface IterationLog {
  /** Relative to .aibrain/: what the state store keeps. */
  relative: string;
  /** Whether anything was written (the file exists). */
  readonly written: boolean;
  /** The bytes written to the file so far (what log retention counts, without a stat). */
  readonly bytes: number;
  write(chunk: string): void;
  close(): void;
}

/** An iteration's log keeps at most this much (its head and its tail; the cut is said between them). */
export const ITERATION_LOG_MAX_BYTES = 1024 * 1024;

/** Where an iteration's full output is kept: `.aibrain/runs/<run>/<task>/<n>.log`. */
export function iterationLogPath(runId: string, taskId: string, n: number): string {
  return path.join('runs', runId, taskId, `${n}.log`);
}

/**
 * An iteration's output as it arrives (already redacted where the command's output entered;
 * redacted again line by line here, for output from elsewhere), appended so `logs --follow` can
 * read along. Capped: the first quarter of `maxBytes` is written as it comes, then only a tail is
 * held, written at close after a line that says how much was cut. A failed write is told once to
 * `onError` and the rest dropped: the log never stops the iteration.
 */
export function openIterationLog(
  ws: Workspace,
  runId: string,
  taskId: string,
  n: number,
  onError: (e: unknown) => void,
  maxBytes = ITERATION_LOG_MAX_BYTES,
): IterationLog {
  const relative = iterationLogPath(runId, taskId, n);
  const file = path.join(ws.aibrainDir, relative);
  const headMax = Math.floor(maxBytes / 4);
  const tailMax = maxBytes - headMax;
  let pending = '';
  let failed = false;
  let made = false;
  let bytes = 0;
  let headWritten = 0;
  let tail: string[] = [];
  let tailLength = 0;
  let cut = 0;
  const appendNow = (text: string): void => {
    if (failed || text === '') return;
    try {
      if (!made) makeDirs(path.dirname(file));
      made = true;
      appendFileSync(file, text);
      bytes += Buffer.byteLength(text);
    } catch (e) {
      failed = true;
      onError(e);
    }
  };
  // Made at the first output: an agent that prints nothing (noop) leaves no file behind.
  const append = (raw: string): void => {
    if (raw === '') return;
    const text = redactSecrets(raw);
    if (headWritten < headMax) {
      headWritten += Buffer.byteLength(text);
      appendNow(text);
      return;
    }
    tail.push(text);
    tailLength += Buffer.byteLength(text);
    while (tailLength > tailMax && tail.length > 1) {
      const dropped = tail.shift()!;
      const size = Buffer.byteLength(dropped);
      tailLength -= size;
      cut += size;
    }
  };
  return {
    relative,
    get written() {
      return made;
    },
    get bytes() {
      return bytes;
    },
    write(chunk) {
      const text = pending + chunk;
      const at = text.lastIndexOf('\n');
      if (at < 0) {
        pending = text;
        if (pending.length > 64 * 1024) {
          append(pending);
          pending = '';
        }
        return;
      }
      append(text.slice(0, at + 1));
      pending = text.slice(at + 1);
    },
    close() {
      append(pending);
      pending = '';
      if (cut > 0) appendNow(`\n[… ${formatBytes(cut)} of output cut here: this log keeps the first ${formatBytes(headMax)} and the last ${formatBytes(tailMax)} of an iteration …]\n\n`);
      appendNow(tail.join(''));
      tail = [];
      tailLength = 0;
    },
  };
}

export const formatBytes = (n: number): string =>
  n >= 1024 * 1024 ? `${Math.round((n / (1024 * 1024)) * 10) / 10} MB` : n >= 1024 ? `${Math.round(n / 1024)} KB` : `${n} bytes`;
