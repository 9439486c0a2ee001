import { storeMayExist } from '../../state/open-store.js';
import { existsSync } from 'node:fs';
import { resolveWorkspace } from '../../workspace/paths.js';
import { openRecordStore } from '../../records/open-record-store.js';

export async function historyCommand(opts: { project?: string; root: string; json: boolean; decisions: boolean; provisioning?: boolean; iterations?: boolean; task?: string; verify?: boolean }): Promise<void> {
  if (opts.verify) return verifyCommand(opts);
  if (opts.iterations) return (await import('./history-iterations.js')).historyIterations(opts);
  if (opts.provisioning) return (await import('./history-provisioning.js')).historyProvisioning(opts);
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
    // Provisioning attempts are listed after the deployments (`--provisioning` shows them alone).
    const provisioning = opts.decisions ? [] : await (await import('./history-provisioning.js')).provisioningLines(store, opts.project);
    if (records.length === 0) {
      process.stdout.write(opts.decisions ? 'no decisions recorded\n' : `no deployments recorded\n${provisioning.length > 0 ? `${provisioning.join('\n')}\n` : ''}`);
      return;
    }
    const lines = records.map((r) =>
      opts.decisions
        ? `${r.timestamp}  ${String(r.decision).padEnd(8)} ${String(r.task_id ?? '-')}  by ${r.by} (${r.os_user})${r.environment ? `  ${r.environment}` : ''}${r.version ? ` ${r.version}` : ''}${r.reason ? `  — ${r.reason}` : ''}`
        : `${r.started_at}  ${String(r.status).padEnd(11)} ${r.kind && r.kind !== 'deployment' ? `${r.kind}  ` : ''}${r.project}/${r.environment} ${r.version}  task ${r.task_id}${Array.isArray(r.migrations_run) && r.migrations_run.length > 0 ? `  migrations ${r.migrations_run.join(', ')}` : ''}${r.approved_by ? `  approved by ${r.approved_by}` : ''}${Array.isArray(r.errors) && r.errors.length > 0 ? `  — ${r.errors.join('; ')}` : ''}`,
    );
    process.stdout.write(`${[...lines, ...provisioning].join('\n')}\n`);
  } finally {
    await store.close();
  }
}

async function verifyCommand(opts: { root: string; json: boolean }): Promise<void> {
  const ws = resolveWorkspace(opts.root);
  const { verifyRecords } = await import('../../records/verify-records.js');
  const result = await verifyRecords(ws);
  // and every recorded signature, against the contract's approvers' keys
  const { loadContract } = await import('../../gates/contract.js');
  const { verifySignatures } = await import('../../engine/verify-signatures.js');
  const signatures = await verifySignatures(ws, loadContract(ws));
  result.problems.push(...signatures.problems);
  if (result.problems.length > 0) process.exitCode = 1;
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ ok: result.problems.length === 0, ...result, signatures: signatures.signed, unsigned_approvals: signatures.unsigned }, null, 2)}\n`);
    return;
  }
  const counts = (['deployments', 'decisions'] as const).map((t) => `${result.checked[t].rows} ${t}${result.checked[t].unchained > 0 ? ` (${result.checked[t].unchained} older than the chain)` : ''}`).join(', ');
  const signed = signatures.signed > 0 ? `; ${signatures.signed} signed decision(s) verify with the approvers' keys` : '';
  if (result.problems.length === 0) process.stdout.write(`records verified: ${counts}; the chain holds and every record file line matches state.db${signed}\n`);
  else process.stdout.write(`records do NOT verify (${counts}):\n${result.problems.map((p) => `  ${p}`).join('\n')}\n`);
  if (signatures.unsigned.length > 0) {
    const some = signatures.unsigned.slice(0, 10).join(', ');
    process.stdout.write(`note: ${signatures.unsigned.length} approval(s) in verified_approvals environments carry no signature (given before the contract asked for one, or written by hand; a run never uses them): ${some}${signatures.unsigned.length > 10 ? ', …' : ''}\n`);
  }
}
