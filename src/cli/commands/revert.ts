import { resetToCheckpoint } from '../../agents/git-checkpoint.js';
import { InputError, LockError } from '../../errors.js';
import { recordDecision } from '../../records/decision-record.js';
import { openStore, storeMayExist } from '../../state/open-store.js';
import { assertProjectName, resolveWorkspace } from '../../workspace/paths.js';

/** `revert TASK --iteration N`: the work tree back to the checkpoint made after that iteration. */
export async function revertCommand(taskId: string, opts: { project: string; root: string; iteration: number; by: string }): Promise<void> {
  const ws = resolveWorkspace(opts.root);
  assertProjectName(opts.project);
  const by = opts.by.trim();
  if (!by) throw new InputError('revert: --by <name> is required: who decides is recorded');
  if (!storeMayExist(ws.stateDb)) throw new InputError(`${ws.stateDb}: no runs yet: task '${taskId}' has no checkpoints`);
  const store = await openStore(ws.stateDb);
  try {
    const holder = await store.lockHolder(opts.project);
    if (holder) throw new LockError(`project '${opts.project}' is being run (pid ${holder.pid} on ${holder.host}); revert when the run has stopped`);
    const rows = await store.iterationsWithMetrics(opts.project, taskId);
    const withCheckpoint = rows.filter((r) => r.checkpoint);
    const row = rows.findLast((r) => r.n === opts.iteration);
    if (!row?.checkpoint) {
      const known = withCheckpoint.map((r) => `${r.n} (${r.checkpoint?.slice(0, 12)})`).join(', ');
      throw new InputError(`task '${taskId}': no checkpoint after iteration ${opts.iteration}${known ? ` (checkpoints: ${known})` : ' (it has none)'}`);
    }
    const done = await resetToCheckpoint(ws.root, row.checkpoint).catch((e: unknown) => {
      throw new InputError(`cannot go back to ${row.checkpoint?.slice(0, 12)}: ${e instanceof Error ? e.message.trim().split('\n')[0] : String(e)} (commit or stash your changes first)`);
    });
    await recordDecision(store, ws, {
      run_id: null,
      project: opts.project,
      task_id: taskId,
      decision: 'revert',
      by,
      reason: `back to the checkpoint of iteration ${opts.iteration}: ${done}`,
      environment: null,
      version: null,
      fingerprint: null,
    });
    process.stdout.write(`${taskId}: back to the checkpoint of iteration ${opts.iteration} (${row.checkpoint.slice(0, 12)} on ${row.checkpoint_branch ?? 'its branch'}): ${done}\n`);
  } finally {
    await store.close();
  }
}
