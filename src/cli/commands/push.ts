import { pushQueueFile } from '../../engine/push-queue.js';
import { assertProjectName } from '../../workspace/paths.js';

/** `push --project p`: this machine's queue file merged into the store (where no runner runs here). */
export async function pushCommand(opts: { project: string; root: string; json: boolean }): Promise<void> {
  const report = await pushQueueFile(opts.root, assertProjectName(opts.project));
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  const lines: string[] = [];
  lines.push(
    report.pushed.length > 0
      ? `pushed ${report.file} into the state store: revision ${report.revision} (added or changed: ${report.pushed.join(', ')})`
      : `${report.file}: no definition to push; the state store's queue is at revision ${report.revision}`,
  );
  if (report.retries > 0) lines.push(`other machines pushed meanwhile: merged again ${report.retries} time(s)`);
  for (const e of report.status_edits) lines.push(`status taken: ${e.task_id}: ${e.from} → ${e.to}`);
  for (const n of report.not_taken) lines.push(`! not taken: ${n.task_id}: ${n.why}`);
  for (const c of report.conflicts) lines.push(`! conflict: ${c.message}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
