import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { createLogRenderer } from '../../agents/coding/render-log.js';
import { iterationLogPath } from '../../engine/iteration-log.js';
import { InputError } from '../../errors.js';
import type { IterationWithMetrics } from '../../state/iteration-metrics.js';
import { openStore } from '../../state/open-store.js';
import { formatFigures, iterationTokens } from './format-figures.js';
import { assertProjectName, resolveWorkspace, type Workspace } from '../../workspace/paths.js';

const POLL_MS = 200;

export async function logsCommand(taskId: string, opts: { project: string; root: string; iteration?: number; follow: boolean; raw?: boolean }): Promise<void> {
  const out = opts.raw ? { write: (text: string) => void process.stdout.write(text), end: () => undefined } : createLogRenderer((text) => process.stdout.write(text));
  const ws = resolveWorkspace(opts.root);
  assertProjectName(opts.project);
  if (!existsSync(ws.stateDb)) throw new InputError(`${ws.stateDb}: no runs yet: nothing to show for ${taskId}`);
  const store = await openStore(ws.stateDb);
  try {
    const rows = await store.iterationsWithMetrics(opts.project, taskId);
    if (rows.length === 0) throw new InputError(`task '${taskId}' of project '${opts.project}' has no iterations on record`);
    let current = opts.iteration === undefined ? rows.at(-1) : rows.findLast((r) => r.n === opts.iteration);
    if (!current) throw new InputError(`task '${taskId}': no iteration ${opts.iteration} on record (it has ${rows.map((r) => r.n).join(', ')})`);
    if (current.log_file && current.state !== 'running' && !existsSync(logFile(ws, current)))
      process.stdout.write(`(the log of ${taskId} iteration ${current.n} was removed by the retention of run logs: the contract's logs.keep_runs and logs.max_bytes)\n`);
    let offset = copyFrom(logFile(ws, current), 0, out);
    // After an iteration's output, what it came to and what it spent (not with --raw: the file only).
    const footer = (row: IterationWithMetrics): void => {
      out.end();
      if (!opts.raw && row.state !== 'running') process.stdout.write(`── ${describeIteration(row)} ──\n`);
    };
    if (!opts.follow) return footer(current);
    for (;;) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      const now = await store.iterationsWithMetrics(opts.project, taskId);
      const same = now.find((r) => r.iteration_id === current?.iteration_id) ?? current;
      offset = copyFrom(logFile(ws, same), offset, out);
      if (same.state === 'running') continue;
      const next = opts.iteration === undefined ? now.find((r) => r.iteration_id > (current?.iteration_id ?? 0)) : undefined;
      if (next) {
        footer(same);
        current = next;
        process.stdout.write(`── ${taskId} iteration ${next.n} ──\n`);
        offset = copyFrom(logFile(ws, next), 0, out);
        continue;
      }
      // Nothing running and nobody running the project: the task will write no more.
      const task = await store.task(opts.project, taskId);
      if (task?.status !== 'in_progress' || !(await store.lockHolder(opts.project))) return footer(same);
    }
  } finally {
    await store.close();
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
