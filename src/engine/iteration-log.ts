import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { redactSecrets } from '../log/redact-secrets.js';
import type { Workspace } from '../workspace/paths.js';

export interface IterationLog {
  /** Relative to .aibrain/: what the state store keeps. */
  relative: string;
  /** Whether anything was written (the file exists). */
  readonly written: boolean;
  write(chunk: string): void;
  close(): void;
}

/** Where an iteration's full output is kept: `.aibrain/runs/<run>/<task>/<n>.log`. */
export function iterationLogPath(runId: string, taskId: string, n: number): string {
  return path.join('runs', runId, taskId, `${n}.log`);
}

/**
 * An iteration's output as it arrives, redacted line by line (a secret split over two chunks is
 * still found), appended so `logs --follow` can read along. A failed write is told once to
 * `onError` and the rest dropped: the log never stops the iteration.
 */
export function openIterationLog(ws: Workspace, runId: string, taskId: string, n: number, onError: (e: unknown) => void): IterationLog {
  const relative = iterationLogPath(runId, taskId, n);
  const file = path.join(ws.aibrainDir, relative);
  let pending = '';
  let failed = false;
  let made = false;
  // Made at the first output: an agent that prints nothing (noop) leaves no file behind.
  const append = (text: string): void => {
    if (failed || text === '') return;
    try {
      if (!made) mkdirSync(path.dirname(file), { recursive: true });
      made = true;
      appendFileSync(file, redactSecrets(text));
    } catch (e) {
      failed = true;
      onError(e);
    }
  };
  return {
    relative,
    get written() {
      return made;
    },
    write(chunk) {
      const text = pending + chunk;
      const cut = text.lastIndexOf('\n');
      if (cut < 0) {
        pending = text;
        if (pending.length > 64 * 1024) {
          append(pending);
          pending = '';
        }
        return;
      }
      append(text.slice(0, cut + 1));
      pending = text.slice(cut + 1);
    },
    close() {
      append(pending);
      pending = '';
    },
  };
}
