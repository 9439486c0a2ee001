import { readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Workspace } from '../workspace/paths.js';
import type { EngineContext } from './engine-context.js';

export interface LogRetention {
  keepRuns: number;
  maxBytes: number;
}

export const DEFAULT_LOG_RETENTION: LogRetention = { keepRuns: 20, maxBytes: 256 * 1024 * 1024 };

interface LogFile {
  file: string;
  run: string;
  size: number;
  mtimeMs: number;
}

/**
 * Retention of `.aibrain/runs/` (contract `logs: {keep_runs, max_bytes}`): the logs of the newest
 * `keepRuns` runs are kept (the current one always), then the oldest iteration logs go — of older
 * runs first, then the current run's earliest iterations, never `keep` (the log being written) —
 * until all of them take at most `maxBytes`. Returns what was removed.
 */
export function pruneRunLogs(ws: Workspace, retention: LogRetention, currentRun: string, keep?: string): { runs: number; files: number; bytes: number; left: number } {
  const root = path.join(ws.aibrainDir, 'runs');
  const removed = { runs: 0, files: 0, bytes: 0, left: 0 };
  let runs: { name: string; mtimeMs: number }[];
  try {
    runs = readdirSync(root, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => ({ name: d.name, mtimeMs: statSync(path.join(root, d.name)).mtimeMs }));
  } catch {
    return removed; // no logs yet
  }
  // Run ids begin with their start time: by name is by age (mtime breaks ties).
  runs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.mtimeMs - b.mtimeMs));
  const older = runs.filter((r) => r.name !== currentRun);
  const excess = Math.max(0, older.length - Math.max(0, retention.keepRuns - 1));
  for (const r of older.slice(0, excess)) {
    removed.bytes += sizeOf(path.join(root, r.name));
    rmSync(path.join(root, r.name), { recursive: true, force: true });
    removed.runs++;
  }
  const files: LogFile[] = [];
  for (const r of runs.filter((x) => !older.slice(0, excess).includes(x))) collect(path.join(root, r.name), r.name, files);
  let total = files.reduce((s, f) => s + f.size, 0);
  removed.left = total;
  if (total <= retention.maxBytes) return removed;
  const order = (f: LogFile): number => (f.run === currentRun ? 1 : 0);
  files.sort((a, b) => order(a) - order(b) || (a.run < b.run ? -1 : a.run > b.run ? 1 : a.mtimeMs - b.mtimeMs));
  for (const f of files) {
    if (total <= retention.maxBytes) break;
    if (keep !== undefined && path.resolve(f.file) === path.resolve(keep)) continue;
    rmSync(f.file, { force: true });
    total -= f.size;
    removed.files++;
    removed.bytes += f.size;
  }
  removed.left = total;
  return removed;
}

function collect(dir: string, run: string, into: LogFile[]): void {
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, d.name);
    if (d.isDirectory()) collect(file, run, into);
    else if (d.isFile()) {
      const s = statSync(file);
      into.push({ file, run, size: s.size, mtimeMs: s.mtimeMs });
    }
  }
}

function sizeOf(dir: string): number {
  const files: LogFile[] = [];
  try {
    collect(dir, '', files);
  } catch {
    return 0;
  }
  return files.reduce((s, f) => s + f.size, 0);
}

// What a run knows the logs take since it last walked them: the walk (a stat of every log) is made
// when the logs it closed would pass max_bytes, and every WALK_EVERY logs besides (logs of other
// processes in the same folder), not after each iteration.
const WALK_EVERY = 64;
const tallies = new Map<string, { bytes: number; since: number }>();

/**
 * Retention as the contract says it, applied now (`keep`: the log just closed, with the bytes it
 * wrote, counted, never removed); a failure to prune is a warning, never a stop.
 */
export function pruneLogs(ctx: EngineContext, keep?: { file: string; bytes: number }): void {
  try {
    const { keep_runs, max_bytes } = ctx.contract.logs;
    const key = `${ctx.ws.aibrainDir}\0${ctx.runId}`;
    const tally = tallies.get(key);
    if (tally && keep !== undefined) {
      tally.bytes += keep.bytes;
      if (tally.bytes <= max_bytes && ++tally.since < WALK_EVERY) return;
    }
    const { left } = pruneRunLogs(ctx.ws, { keepRuns: keep_runs, maxBytes: max_bytes }, ctx.runId, keep?.file);
    tallies.set(key, { bytes: left, since: 0 });
  } catch (e) {
    ctx.emitter.emit('warning', { message: `cannot prune old run logs (${e instanceof Error ? e.message : String(e)})` });
  }
}
