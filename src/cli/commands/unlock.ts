import { InputError } from '../../errors.js';
import { osUser, recordDecision } from '../../records/decision-record.js';
import { openRecordStore } from '../../records/open-record-store.js';
import { assertProjectName, resolveWorkspace } from '../../workspace/paths.js';

/** `unlock --project p --force`: the lock of a loop that cannot be told gone (another host) removed, on the record. */
export async function unlockCommand(opts: { project: string; root: string; force: boolean; by?: string }): Promise<void> {
  const project = assertProjectName(opts.project);
  const ws = resolveWorkspace(opts.root);
  const store = await openRecordStore(ws);
  try {
    const holder = await store.lockHolder(project);
    if (!holder) {
      process.stdout.write(`project '${project}' is not locked\n`);
      return;
    }
    const who = `pid ${holder.pid} on ${holder.host}, since ${holder.since} (run ${holder.run_id})`;
    if (!opts.force) throw new InputError(`project '${project}' is locked by ${who}; if that loop is surely gone, run again with --force`);
    await store.forceUnlock(project);
    await recordDecision(store, ws, {
      run_id: holder.run_id,
      project,
      task_id: null,
      decision: 'unlock',
      by: opts.by?.trim() || osUser(),
      reason: `lock of ${who} removed with --force`,
      environment: null,
      version: null,
      fingerprint: null,
    });
    process.stdout.write(`removed the lock of ${who}; recorded in decisions\n`);
  } finally {
    await store.close();
  }
}
