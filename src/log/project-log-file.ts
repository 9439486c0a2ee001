import { closeSync, existsSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { writeFileAtomic } from '../workspace/write-file-atomic.js';

/** The contract's `logs: {keep_runs, max_bytes}`, as the project's pino log keeps it. */
export interface LogFileRetention {
  keepRuns: number;
  maxBytes: number;
}

/**
 * The bytes a project's pino log (`.aibrain/logs/<project>.jsonl` and its one rotated file
 * `<project>.1.jsonl`) may take in all: a quarter of `logs.max_bytes` (at least 256 KiB), so the
 * run logs under `.aibrain/runs/` keep the rest of the budget.
 */
export function projectLogBudget(retention: LogFileRetention): number {
  return Math.max(256 * 1024, Math.floor(retention.maxBytes / 4));
}

/** The rotated file beside `<project>.jsonl`: the older half of the log. */
export const rotatedLogFile = (file: string): string => file.replace(/(\.jsonl)?$/, '.1.jsonl');

/**
 * Drops the lines of runs older than the newest `keepRuns - 1` runs (the run about to start is the
 * last one kept) from the log and its rotated file; rewritten atomically, only when something goes.
 * A line that names no run belongs to the run before it. Returns how many lines and runs went.
 */
export function pruneProjectLog(file: string, retention: LogFileRetention): { lines: number; runs: number } {
  // Only regular files are read: a device in the log's place (/dev/full, a FIFO) would be read forever;
  // writing to it then fails, and says so.
  const files = [rotatedLogFile(file), file].filter((f) => existsSync(f) && statSync(f).isFile());
  const parts = files.map((f) => ({ file: f, lines: splitLines(readFileSync(f, 'utf8')) }));
  const order: string[] = [];
  let current = '';
  const owners = parts.map((p) =>
    p.lines.map((line) => {
      const run = runOf(line);
      if (run !== undefined) current = run;
      if (!order.includes(current)) order.push(current);
      return current;
    }),
  );
  const dropped = new Set(order.slice(0, Math.max(0, order.length - Math.max(0, retention.keepRuns - 1))));
  if (dropped.size === 0) return { lines: 0, runs: 0 };
  let lines = 0;
  parts.forEach((p, i) => {
    const kept = p.lines.filter((_, j) => !dropped.has(owners[i]![j]!));
    lines += p.lines.length - kept.length;
    if (kept.length === p.lines.length) return;
    if (kept.length === 0) rmSync(p.file, { force: true });
    else writeFileAtomic(p.file, kept.map((l) => `${l}\n`).join(''));
  });
  return { lines, runs: dropped.size };
}

/**
 * Appends lines to the project's log synchronously (a crash loses no line that was written). When
 * the file would pass half the budget it becomes the rotated file (the older one goes) and a new
 * one is started: both together stay within `projectLogBudget`. Errors are thrown to the caller.
 */
export function openProjectLog(file: string, retention: LogFileRetention): { write(line: string): void; close(): void } {
  const half = Math.floor(projectLogBudget(retention) / 2);
  let fd = openSync(file, 'a');
  let size = statSync(file).size;
  return {
    write(line: string): void {
      const bytes = Buffer.byteLength(line);
      if (size > 0 && size + bytes > half) {
        closeSync(fd);
        renameSync(file, rotatedLogFile(file));
        fd = openSync(file, 'a');
        size = 0;
      }
      writeSync(fd, line);
      size += bytes;
    },
    close(): void {
      closeSync(fd);
    },
  };
}

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function runOf(line: string): string | undefined {
  try {
    const parsed = JSON.parse(line) as { run_id?: unknown };
    return typeof parsed.run_id === 'string' ? parsed.run_id : undefined;
  } catch {
    return undefined;
  }
}
