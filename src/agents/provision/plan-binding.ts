import path from 'node:path';
import { hashOf } from '../../records/decision-record.js';
import type { TaskSpec } from '../../queue/task-spec.js';
import type { PlanBinding } from '../../gates/approval-gate.js';
import type { Workspace } from '../../workspace/paths.js';
import { hashFile, planDir, readKeptPlan } from './kept-plan.js';

export type { PlanBinding };

/**
 * What a provisioning approval is bound to (see PlanBinding): kept small and separate so it can join
 * the approval subject wherever that is computed and stored.
 * The binding of the task's kept plan, or null when no plan has been made (nothing reached the gate). */
export function readPlanBinding(ws: Workspace, project: string, task: TaskSpec): PlanBinding | null {
  if (task.agentType !== 'provisioning') return null;
  const kept = readKeptPlan(planDir(ws, project, task.id));
  if (!kept || kept.state !== 'pending') return null;
  return {
    plan_file: path.basename(kept.plan_file),
    plan_sha256: hashFile(kept.plan_file),
    business_case_sha256: hashOf({ resource: task.resource ?? null, business_case: task.businessCase ?? null, safety_exceptions: task.safetyExceptions ?? [] }),
    cost: { estimate_monthly_usd: task.businessCase?.costEstimate.monthlyUsd ?? null, tool_monthly_usd: kept.cost_tool_monthly_usd },
  };
}
