import { runningLoop } from '../../state/running-loop.js';
import { applyRevert, planRevert } from '../../agents/git-revert.js';
import { ExitCode, InputError, LockError, LoopError } from '../../errors.js';
import { recordDecision } from '../../records/decision-record.js';
import { openStore, storeMayExist } from '../../state/open-store.js';
import { assertProjectName, resolveWorkspace } from '../../workspace/paths.js';

/**
 * `revert TASK --iteration N`: drops the task's own checkpoints after that iteration and nothing
 * else: its own branch moves back when not merged; on the person's branch the commits go (reset)
 * when all since are the task's, else the task's own are undone with `git revert` and a person's
 * or another task's stay. It says what it will do and asks (`--yes` for scripts).
 */
export async function revertCommand(taskId: string, opts: { project: string; root: string; iteration: number; by: string; yes?: boolean }): Promise<void> {
  const ws = resolveWorkspace(opts.root);
  assertProjectName(opts.project);
  const by = opts.by.trim();
  if (!by) throw new InputError('revert: --by <name> is required: who decides is recorded');
  if (!storeMayExist(ws.stateDb)) throw new InputError(`${ws.stateDb}: no runs yet: task '${taskId}' has no checkpoints`);
  const store = await openStore(ws.stateDb);
  try {
    // A loop that died (its pid gone on this host) holds nothing: revert goes on; a runner on
    // another machine (shared database) is a loop running.
    const holder = await runningLoop(store, opts.project);
    if (holder) throw new LockError(`project '${opts.project}' is being run (pid ${holder.pid} on ${holder.host}); revert when the run has stopped`);
    const rows = await store.iterationsWithMetrics(opts.project, taskId);
    const withCheckpoint = rows.filter((r) => r.checkpoint);
    const row = rows.findLast((r) => r.n === opts.iteration);
    if (!row?.checkpoint) {
      const known = withCheckpoint.map((r) => `${r.n} (${r.checkpoint?.slice(0, 12)})`).join(', ');
      throw new InputError(`task '${taskId}': no checkpoint after iteration ${opts.iteration}${known ? ` (checkpoints: ${known})` : ' (it has none)'}`);
    }
    const checkpoint = row.checkpoint;
    const plan = await planRevert(ws.root, checkpoint, taskId, row.checkpoint_branch);
    if ('refused' in plan) throw new LoopError(`revert ${taskId}: ${plan.refused}`, ExitCode.taskFailed);
    if (plan.commits.length === 0) {
      process.stdout.write(`${taskId}: already at the checkpoint of iteration ${opts.iteration} (${checkpoint.slice(0, 12)}): nothing to drop\n`);
      return;
    }
    const head = plan.how === 'revert'
      ? `${taskId}: going back to iteration ${opts.iteration} (${checkpoint.slice(0, 12)}) would undo ${plan.commits.length} checkpoint commit(s) of ${taskId} with git revert on ${plan.ref}:`
      : `${taskId}: reverting to iteration ${opts.iteration} (${checkpoint.slice(0, 12)}) would drop ${plan.commits.length} checkpoint commit(s) of ${taskId}${plan.where === 'branch' ? ` from its branch ${plan.ref}` : ''}:`;
    const what = [
      head,
      ...plan.commits.map((c) => `  ${c.hash.slice(0, 12)} ${c.subject}`),
      ...(plan.kept.length > 0 ? [`kept: ${plan.kept.map((c) => `${c.hash.slice(0, 12)} ${c.subject}`).join('; ')}`] : []),
      `and with them these file(s): ${plan.files.join(', ')}`,
    ].join('\n');
    process.stdout.write(`${what}\n`);
    if (!opts.yes) {
      if (!process.stdin.isTTY || !process.stdout.isTTY) throw new InputError(`revert ${taskId}: nothing dropped; run it again with --yes to drop what is listed above`);
      const { askYesNo } = await import('../prompts/ask-yes-no.js');
      if (!(await askYesNo('Drop them?'))) {
        process.stdout.write('nothing dropped\n');
        return;
      }
    }
    const done = await applyRevert(ws.root, checkpoint, plan).catch((e: unknown) => {
      throw new InputError(`cannot go back to ${checkpoint.slice(0, 12)}: ${e instanceof Error ? e.message.trim().split('\n')[0] : String(e)} (commit or stash your changes first); nothing changed`);
    });
    await recordDecision(store, ws, {
      run_id: null,
      project: opts.project,
      task_id: taskId,
      decision: 'revert',
      by,
      reason: `back to the checkpoint of iteration ${opts.iteration}, dropped ${plan.commits.length} checkpoint(s) of ${taskId}: ${done}`,
      environment: null,
      version: null,
      fingerprint: null,
    });
    process.stdout.write(`${taskId}: back to the checkpoint of iteration ${opts.iteration} (${checkpoint.slice(0, 12)} on ${row.checkpoint_branch ?? 'its branch'}): ${done}\n`);
  } finally {
    await store.close();
  }
}
