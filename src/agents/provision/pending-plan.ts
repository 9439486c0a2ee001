import { existsSync } from 'node:fs';
import type { Contract } from '../../gates/contract.js';
import type { TaskSpec } from '../../queue/task-spec.js';
import type { Workspace } from '../../workspace/paths.js';
import { hashFile, planDir, readKeptPlan, type KeptPlan } from './kept-plan.js';
import { reviewPlan, type PlanReview } from './review-plan.js';

export interface PendingPlan {
  kept: KeptPlan;
  review: PlanReview;
  /** The box title the prompt shows. */
  title: string;
  /** Each resource change, `create aws_s3_bucket.user_uploads` (as the record keeps it). */
  summary: string[];
}

/**
 * The plan a provisioning task's gate is waiting on, read (never made) from what the run kept:
 * what `approve` / `reject` from another shell show and decide. Undefined when no plan waits
 * (none kept, already applied or discarded, or the kept file changed: the next run plans again).
 */
export function pendingPlan(ws: Workspace, project: string, task: TaskSpec, contract: Contract): PendingPlan | undefined {
  const kept = readKeptPlan(planDir(ws, project, task.id));
  if (!kept || kept.state !== 'pending' || !existsSync(kept.plan_json) || hashFile(kept.plan_file) !== kept.sha256) return undefined;
  const review = reviewPlan(ws, project, task, contract, kept);
  return {
    kept,
    review,
    title: provisioningTitle(task),
    summary: review.plan.changes.filter((c) => c.action !== 'no-op').map((c) => `${c.action} ${c.address}`),
  };
}

/** The title of a provisioning gate's box, at the prompt and from another shell. */
export function provisioningTitle(task: TaskSpec): string {
  return `PROVISIONING APPROVAL REQUIRED (${(task.environment ?? '').toUpperCase()})`;
}
