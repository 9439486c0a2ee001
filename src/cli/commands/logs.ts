import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { createLogRenderer } from '../../agents/coding/render-log.js';
import { iterationLogPath } from '../../engine/iteration-log.js';
import { InputError } from '../../errors.js';
import type { IterationWithMetrics } from '../../state/iteration-metrics.js';
import { openStore, storeMayExist } from '../../state/open-store.js';
import { runningLoop } from '../../state/running-loop.js';
import type { Store } from '../../state/store.js';
import { formatFigures, iterationTokens } from './format-figures.js';
import { assertProjectName, resolveWorkspace, type Workspace } from '../../workspace/paths.js';

const POLL_MS = 200;

export async function logsCommand(taskId: string, opts: { project: string; root: string; iteration?: number; follow: boolean; raw?: boolean }): Promise<void> {
  const out = opts.raw ? { write: (text: string) => void process.stdout.write(text), end: () => undefined } : createLogRenderer((text) => process.stdout.write(text));
  const ws = resolveWorkspace(opts.root);
  assertProjectName(opts.project);
  if (!storeMayExist(ws.stateDb)) throw new InputError(`${ws.stateDb}: no runs yet: nothing to show for ${taskId}`);
  const store = await openStore(ws.stateDb);
  try {
    const rows = await store.iterationsWithMetrics(opts.project, taskId);
    if (rows.length === 0) throw new InputError(`task '${taskId}' of project '${opts.project}' has no iterations on record`);
    let current = opts.iteration === undefined ? rows.at(-1) : rows.findLast((r) => r.n === opts.iteration);
    if (!current) throw new InputError(`task '${taskId}': no iteration ${opts.iteration} on record (it has ${rows.map((r) => r.n).join(', ')})`);
    if (current.log_file && current.state !== 'running' && !existsSync(logFile(ws, current)))
      process.stdout.write(`(the log of ${taskId} iteration ${current.n} was removed by the retention of run logs: the contract's logs.keep_runs and logs.max_bytes)\n`);
    // The runner's log file on this machine; else the output the runner kept in the store (a task
    // running on another machine with the same database).
    const pos: Position = { offset: 0, seq: 0 };
    const more = (row: IterationWithMetrics): Promise<void> => readMore(ws, store, opts.project, row, pos, out);
    await more(current);
    // After an iteration's output, what it came to and what it spent (not with --raw: the file only).
    const footer = (row: IterationWithMetrics): void => {
      out.end();
      if (!opts.raw && row.state !== 'running') process.stdout.write(`── ${describeIteration(row)} ──\n`);
    };
    if (!opts.follow) return footer(current);
    let settled = 0;
    for (;;) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      const now = await store.iterationsWithMetrics(opts.project, taskId);
      const same = now.find((r) => r.iteration_id === current?.iteration_id) ?? current;
      await more(same);
      if (same.state === 'running') {
        settled = 0;
        continue;
      }
      // A runner elsewhere stores its last lines up to 250 ms after the iteration's end: read a little longer.
      if (settled++ < 3) continue;
      const next = opts.iteration === undefined ? now.find((r) => r.iteration_id > (current?.iteration_id ?? 0)) : undefined;
      if (next) {
        footer(same);
        current = next;
        process.stdout.write(`── ${taskId} iteration ${next.n} ──\n`);
        pos.offset = 0;
        await more(next);
        continue;
      }
      // Nothing running and nobody running the project: the task will write no more.
      const task = await store.task(opts.project, taskId);
      if (task?.status !== 'in_progress' || !(await runningLoop(store, opts.project))) return footer(same);
    }
  } finally {
    await store.close();
  }
}

interface Position {
  /** Bytes of the local log file given so far. */
  offset: number;
  /** The last stored output chunk looked at. */
  seq: number;
}

async function readMore(ws: Workspace, store: Store, project: string, row: IterationWithMetrics, pos: Position, out: { write(text: string): void }): Promise<void> {
  const file = logFile(ws, row);
  if (existsSync(file)) {
    pos.offset = copyFrom(file, pos.offset, out);
    return;
  }
  for (;;) {
    const chunks = await store.output(project, row.task_id, pos.seq, 500);
    for (const c of chunks) {
      if (c.iteration > row.n) return; // the next iteration's: read when it is the current one
      pos.seq = c.seq;
      if (c.iteration === row.n && c.run_id === row.run_id) process.stdout.write(c.chunk);
    }
    if (chunks.length < 500) return;
  }
}

function describeIteration(r: IterationWithMetrics): string {
  const outcome = r.state === 'done' ? `${r.verdict ?? '?'}${r.promise_met ? ', promise kept' : ''}` : r.state;
  const figures = formatFigures({ ...r, tokens: iterationTokens(r) });
  return [`${r.task_id} iteration ${r.n}: ${outcome}`, figures, r.checkpoint ? `checkpoint ${r.checkpoint.slice(0, 12)}` : '', r.stop_reason ?? ''].filter(Boolean).join(' · ');
}

function logFile(ws: Workspace, row: IterationWithMetrics): string {
  return path.join(ws.aibrainDir, row.log_file ?? iterationLogPath(row.run_id, row.task_id, row.n));
}

/** Gives the file's bytes from `offset` on to `out`; returns the new offset. */
function copyFrom(file: string, offset: number, out: { write(text: string): void }): number {
  if (!existsSync(file)) return offset;
  const size = statSync(file).size;
  if (size <= offset) return offset;
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(size - offset);
    const read = readSync(fd, buffer, 0, buffer.length, offset);
    out.write(buffer.subarray(0, read).toString('utf8'));
    return offset + read;
  } finally {
    closeSync(fd);
  }
}
