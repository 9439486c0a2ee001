import { openRecordStore } from '../../records/open-record-store.js';
import { storeMayExist } from '../../state/open-store.js';
import { provisioningRecords } from '../../records/provisioning-record.js';
import type { Store } from '../../state/store.js';
import { resolveWorkspace } from '../../workspace/paths.js';

/** `history --provisioning`: each provisioning attempt with its plan, cost, approver and outcome. */
export async function historyProvisioning(opts: { project?: string; root: string; json: boolean }): Promise<void> {
  const ws = resolveWorkspace(opts.root);
  if (!storeMayExist(ws.stateDb)) {
    process.stdout.write(opts.json ? `${JSON.stringify({ provisioning: [] })}\n` : 'no provisioning recorded\n');
    return;
  }
  const store = await openRecordStore(ws);
  try {
    if (opts.json) {
      process.stdout.write(`${JSON.stringify({ provisioning: await provisioningRecords(store, opts.project) }, null, 2)}\n`);
      return;
    }
    const lines = await provisioningLines(store, opts.project);
    process.stdout.write(lines.length > 0 ? `${lines.join('\n')}\n` : 'no provisioning recorded\n');
  } finally {
    await store.close();
  }
}

export async function provisioningLines(store: Store, project?: string): Promise<string[]> {
  return (await provisioningRecords(store, project)).map((r) => {
    const cost = r.cost.tool_monthly_usd !== null ? `$${r.cost.tool_monthly_usd}/month (est. $${r.cost.estimate_monthly_usd ?? '?'})` : `est. $${r.cost.estimate_monthly_usd ?? '?'}/month`;
    const doc = r.document ? `  doc ${r.document.file}@${(r.document.commit ?? '').slice(0, 8)}` : '';
    return `${r.started_at}  provision ${r.outcome.padEnd(12)} ${r.project}/${r.environment} ${r.resource}  task ${r.task_id}  ${r.plan_summary.length} change(s), ${cost}${r.approved_by ? `  approved by ${r.approved_by}` : ''}${doc}${r.errors.length > 0 ? `  — ${r.errors.join('; ')}` : ''}`;
  });
}
