import { InputError } from '../../errors.js';
import { openStore, storeMayExist } from '../../state/open-store.js';
import { resolveWorkspace } from '../../workspace/paths.js';
import { formatFigures, iterationTokens } from './format-figures.js';

/** `history --iterations`: each iteration with its verdict, figures, checkpoint and log file. */
export async function historyIterations(opts: { project?: string; root: string; json: boolean; task?: string }): Promise<void> {
  if (!opts.project) throw new InputError('history --iterations: --project <project> is required');
  const ws = resolveWorkspace(opts.root);
  const store = storeMayExist(ws.stateDb) ? await openStore(ws.stateDb) : undefined;
  try {
    const taskIds = opts.task ? [opts.task] : [...((await store?.tasks(opts.project))?.keys() ?? [])];
    const perTask = store ? await Promise.all(taskIds.map((id) => store.iterationsWithMetrics(opts.project ?? '', id))) : [];
    const iterations = store
      ? perTask.flatMap((rows) =>
          rows.map(({ output_tail: _tail, ...r }) => ({
            ...r,
            tokens: iterationTokens(r),
            promise_met: r.promise_met === 1,
          })),
        ).sort((a, b) => a.iteration_id - b.iteration_id)
      : [];
    if (opts.json) {
      process.stdout.write(`${JSON.stringify({ project: opts.project, iterations }, null, 2)}\n`);
      return;
    }
    if (iterations.length === 0) {
      process.stdout.write('no iterations recorded\n');
      return;
    }
    const lines = iterations.map((r) => {
      const figures = formatFigures(r);
      const outcome = r.state !== 'done' ? r.state : `${r.verdict ?? '?'}${r.promise_met ? ' promise kept' : ''}`;
      const checkpoint = r.checkpoint ? `  checkpoint ${r.checkpoint.slice(0, 12)} (${r.checkpoint_branch})` : '';
      const stop = r.stop_reason ? `  [${r.stop_reason}]` : '';
      return `${r.started_at}  ${r.task_id} #${r.n}  ${outcome}${figures ? `  ${figures}` : ''}${r.retries > 0 ? `  ${r.retries} retr${r.retries === 1 ? 'y' : 'ies'}` : ''}${checkpoint}${stop}${r.error && !r.promise_met ? `  — ${r.error.split('\n')[0]}` : ''}`;
    });
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await store?.close();
  }
}
