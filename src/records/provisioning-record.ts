import path from 'node:path';
import { redactValue } from '../log/redact-secrets.js';
import type { Store } from '../state/store.js';
import type { Workspace } from '../workspace/paths.js';
import { writeFileAtomic } from '../workspace/write-file-atomic.js';
import { noteBehind, projectionWrite } from './records-behind.js';

/**
 * What happened to one provisioning attempt: `plan_failed` (the plan or its JSON could not be
 * made or read), `blocked` (a guardrail, nobody overrode it), `rejected`, `applied`, `apply_failed`
 * (the tool stopped midway: `applied` lists what it reported done; a person decides what next).
 */
export type ProvisioningOutcome = 'plan_failed' | 'blocked' | 'rejected' | 'applied' | 'apply_failed';

export interface ProvisioningRecordInput {
  task_id: string;
  environment: string;
  resource: string;
  outcome: ProvisioningOutcome;
  started_at: string;
  completed_at: string;
  business_case: unknown;
  /** sha-256 of the plan file the approval covered (and apply ran). */
  plan_sha256: string | null;
  /** Each resource change: `create aws_s3_bucket.user_uploads`, deletes and replaces first. */
  plan_summary: string[];
  findings: { rule: string; severity: string; address: string; detail: string; suppressed: boolean; exception?: string }[];
  cost: { estimate_monthly_usd: number | null; tool_monthly_usd: number | null; budget_monthly_usd: number | null; margin_percent: number; notes: string[] };
  approved_by: string | null;
  /** Addresses the apply reported done (all of them after a full apply). */
  applied: string[];
  errors: string[];
  /** The document committed to the infrastructure repository, and its commit. */
  document: { repo: string; file: string; commit: string | null } | null;
}

export interface ProvisioningRecord extends ProvisioningRecordInput {
  id: string;
  project: string;
}

/** Provisioning records of the workspace: state.db first, then `.aibrain/provisioning.json`. */
export function provisioningFile(ws: Workspace): string {
  return path.join(ws.aibrainDir, 'provisioning.json');
}

/**
 * Records a provisioning attempt in state.db (once per id), then rewrites the projection from the
 * store. A file that cannot be written never undoes the record: the problem is returned.
 */
export async function recordProvisioning(store: Store, ws: Workspace, record: ProvisioningRecord): Promise<string | undefined> {
  const { id, project, task_id, ...rest } = record;
  const redacted = redactValue({ id, project, task_id, ...rest });
  await store.transaction((tx) => tx.insertProvisioning(project, id, task_id, JSON.stringify(redacted)));
  const problem = await flushProvisioning(store, ws);
  noteBehind(problem);
  return problem;
}

/** `.aibrain/provisioning.json` as `{"provisioning": [...]}`, written whole and atomically from the store. */
export async function flushProvisioning(store: Store, ws: Workspace): Promise<string | undefined> {
  const file = provisioningFile(ws);
  const records = (await store.provisioning()).map((r) => JSON.parse(r.record) as unknown);
  return projectionWrite(file, ws, 'write the provisioning record', async () => {
    writeFileAtomic(file, `${JSON.stringify({ provisioning: records }, null, 2)}\n`);
  });
}

export async function provisioningRecords(store: Store, project?: string): Promise<ProvisioningRecord[]> {
  return (await store.provisioning(project)).map((r) => JSON.parse(r.record) as ProvisioningRecord);
}
