import { storeMayExist } from '../../state/open-store.js';
import { existsSync } from 'node:fs';
import { resolveWorkspace } from '../../workspace/paths.js';
import { openRecordStore } from '../../records/open-record-store.js';

export async function historyCommand(opts: { project?: string; root: string; json: boolean; decisions: boolean; iterations?: boolean; task?: string }): Promise<void> {
  if (opts.iterations) return (await import('./history-iterations.js')).historyIterations(opts);
  const ws = resolveWorkspace(opts.root);
  if (!storeMayExist(ws.stateDb) && ![ws.deploymentsFile, ws.decisionsFile].some((f) => existsSync(f))) {
    process.stdout.write(opts.json ? `${JSON.stringify(opts.decisions ? { decisions: [] } : { deployments: [] })}\n` : 'no history yet\n');
    return;
  }
  const store = await openRecordStore(ws);
  try {
    const rows = await (opts.decisions ? store.decisions(opts.project) : store.deployments(opts.project));
    const records = rows.map((r) => JSON.parse(r.record) as Record<string, unknown>);
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(opts.decisions ? { decisions: records } : { deployments: records }, null, 2)}\n`);
      return;
    }
    if (records.length === 0) {
      process.stdout.write(opts.decisions ? 'no decisions recorded\n' : 'no deployments recorded\n');
      return;
    }
    const lines = records.map((r) =>
      opts.decisions
        ? `${r.timestamp}  ${String(r.decision).padEnd(8)} ${String(r.task_id ?? '-')}  by ${r.by} (${r.os_user})${r.environment ? `  ${r.environment}` : ''}${r.version ? ` ${r.version}` : ''}${r.reason ? `  — ${r.reason}` : ''}`
        : `${r.started_at}  ${String(r.status).padEnd(11)} ${r.project}/${r.environment} ${r.version}  task ${r.task_id}${r.approved_by ? `  approved by ${r.approved_by}` : ''}${Array.isArray(r.errors) && r.errors.length > 0 ? `  — ${r.errors.join('; ')}` : ''}`,
    );
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await store.close();
  }
}
