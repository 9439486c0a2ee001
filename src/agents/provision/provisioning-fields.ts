import type { ProvisioningOutcome, ProvisioningRecordInput } from '../../records/provisioning-record.js';
import type { TaskSpec } from '../../queue/task-spec.js';
import type { KeptPlan } from './kept-plan.js';
import type { PlanReview } from './review-plan.js';

export interface RecordParts {
  kept?: KeptPlan;
  review?: PlanReview;
  errors?: string[];
  applied?: string[];
}

/** A provisioning record's fields for an attempt of `task` (approver: who approved what was applied). */
export function provisioningFields(task: TaskSpec, approver: string | null, outcome: ProvisioningOutcome, startedAt: string, parts: RecordParts): ProvisioningRecordInput {
  const r = parts.review;
  return {
    task_id: task.id,
    environment: task.environment ?? '',
    resource: task.resource ?? '',
    outcome,
    started_at: startedAt,
    completed_at: new Date().toISOString(),
    business_case: task.businessCase ? queueShape(task.businessCase) : null,
    plan_sha256: parts.kept?.sha256 || null,
    plan_summary: r ? r.plan.changes.filter((c) => c.action !== 'no-op').map((c) => `${c.action} ${c.address}`) : [],
    findings: (r?.findings ?? []).map((f) => ({ rule: f.rule, severity: f.severity, address: f.address, detail: f.detail, suppressed: f.suppressed, ...(f.exception ? { exception: f.exception } : {}) })),
    cost: {
      estimate_monthly_usd: r?.cost.estimate ?? task.businessCase?.costEstimate.monthlyUsd ?? null,
      tool_monthly_usd: r?.cost.tool ?? null,
      budget_monthly_usd: r?.cost.budget ?? null,
      margin_percent: r?.cost.marginPercent ?? 0,
      notes: [...(r?.cost.overBudget ? [r.cost.overBudget] : []), ...(r?.cost.overEstimate ? [r.cost.overEstimate] : []), ...(r?.cost.notes ?? [])],
    },
    approved_by: approver,
    applied: parts.applied ?? [],
    errors: parts.errors ?? [],
    document: null,
  };
}

// The case as the queue writes it (snake_case), so the record reads like the request.
function queueShape(bc: NonNullable<TaskSpec['businessCase']>): Record<string, unknown> {
  return {
    justification: bc.justification,
    cost_estimate: { monthly_usd: bc.costEstimate.monthlyUsd, basis: bc.costEstimate.basis },
    alternatives: bc.alternatives.map((a) => ({ option: a.option, rejected_because: a.rejectedBecause })),
    risk: { security: bc.risk.security, operational: bc.risk.operational, data_loss: bc.risk.dataLoss },
  };
}


/**
 * The record of a plan a person rejected: the same at the prompt and from another shell
 * (`reject TASK`): outcome `rejected`, who rejected it, the plan, its summary, findings and cost.
 */
export function rejectionFields(task: TaskSpec, by: string, startedAt: string, parts: RecordParts, where: string): ProvisioningRecordInput {
  return { ...provisioningFields(task, null, 'rejected', startedAt, { ...parts, errors: [`rejected by ${by} ${where}`] }), rejected_by: by };
}
