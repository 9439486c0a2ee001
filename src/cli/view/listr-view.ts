import { Listr, type ListrTaskWrapper } from 'listr2';
import type { EngineEmitter } from '../../engine/events.js';
import { formatSummary, type View } from './format-summary.js';

interface Live {
  setOutput(line: string): void;
  finish(error?: string): void;
  title(text: string): void;
}

/**
 * listr2 in a terminal: one line a running iteration, its latest output beneath it, ✔ or ✖ when
 * it ends. Each iteration is its own short Listr run, so a prompt never draws over a spinner.
 */
export function attachListrView(emitter: EngineEmitter, concurrency: number): View {
  const live = new Map<string, Live>();
  const runs = new Set<Promise<unknown>>();
  // The redrawing renderer needs a known width and one task at a time; else plain listr lines.
  const renderer = concurrency > 1 || !process.stdout.columns ? 'simple' : 'default';
  const idle = async (): Promise<void> => {
    while (runs.size > 0) await Promise.all([...runs]);
  };
  let printing = Promise.resolve();
  // Lines wait for the iteration being drawn to finish, so they never cut into it.
  const print = (line: string): void => {
    printing = printing.then(idle).then(() => {
      process.stdout.write(`${line}\n`);
    });
  };

  emitter
    .on('run:start', (e) => print(`autonomous-loop · ${e.project} · ${e.tasks} task(s)${e.resumed ? ' · resuming' : ''}`))
    .on('iteration:start', (e) => {
      let resolve!: (error?: string) => void;
      const ended = new Promise<string | undefined>((r) => (resolve = r));
      let wrapper: ListrTaskWrapper<unknown, never, never> | undefined;
      const pendingLines: string[] = [];
      const list = new Listr(
        [
          {
            title: `${e.taskId} · iteration ${e.iteration}/${e.maxIterations}`,
            task: async (_ctx, task) => {
              wrapper = task as unknown as ListrTaskWrapper<unknown, never, never>;
              for (const l of pendingLines.splice(0)) task.output = l;
              const error = await ended;
              if (error) throw new Error(error);
            },
            rendererOptions: { bottomBar: 3, persistentOutput: false },
          },
        ],
        { renderer, exitOnError: false, rendererOptions: { collapseErrors: false } } as never,
      );
      const run = list.run().catch(() => undefined);
      runs.add(run);
      void run.finally(() => runs.delete(run));
      live.set(e.taskId, {
        setOutput: (line) => (wrapper ? (wrapper.output = line) : pendingLines.push(line)),
        finish: (error) => resolve(error),
        title: (text) => {
          if (wrapper) wrapper.title = text;
        },
      });
    })
    .on('iteration:output', (e) => live.get(e.taskId)?.setOutput(e.line.slice(0, Math.max(20, (process.stdout.columns || 100) - 6))))
    .on('iteration:end', (e) => {
      const l = live.get(e.taskId);
      if (!l) return;
      l.title(`${e.taskId} · iteration ${e.iteration} · ${e.verdict}${e.promiseMet ? ' · promise kept' : ''}`);
      l.finish(e.promiseMet || e.verdict === 'PASS' ? undefined : (e.error ?? e.verdict));
      live.delete(e.taskId);
    })
    .on('task:end', (e) => {
      if (e.status === 'awaiting_approval') return; // task:waiting said it, with the command
      print(`${e.status === 'complete' ? '✔' : '✖'} ${e.taskId} ${e.status.replace('_', ' ')}${e.reason ? `: ${e.reason}` : ''}`);
    })
    .on('task:skipped', (e) => print(`↷ ${e.taskId} skipped: ${e.reason}`))
    .on('task:waiting', (e) => print(`⏸ ${e.taskId} awaiting approval: ${e.reason}\n  approve with: ${e.approveCommand}`))
    .on('queue:reloaded', (e) => print(`~ queue file edited: ${e.added.length} added, ${e.changed.length} changed, ${e.reset.length} set back to pending`))
    .on('warning', (e) => print(`! ${e.message}`));

  return {
    idle: async () => {
      await idle();
      await printing;
    },
    summary: (s) => print(formatSummary(s)),
  };
}
