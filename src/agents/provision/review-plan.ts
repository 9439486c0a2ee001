import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Contract } from '../../gates/contract.js';
import { blockingPlanFindings, checkPlan, type PlanFinding } from '../../guardrails/plan/check-plan.js';
import { loadPlanRules } from '../../guardrails/plan/plan-rules.js';
import { readPlan, type Plan, type ResourceChange } from '../../guardrails/plan/read-plan.js';
import type { TaskSpec } from '../../queue/task-spec.js';
import type { Workspace } from '../../workspace/paths.js';
import type { BlockingFinding } from '../agent.js';
import type { KeptPlan } from './kept-plan.js';

export interface CostCheck {
  estimate: number | null;
  tool: number | null;
  budget: number | null;
  marginPercent: number;
  /** The case's estimate or the tool's figure is above the project's monthly budget. */
  overBudget?: string;
  /** The tool's figure exceeds the estimate by more than the margin: the approver accepts it. */
  overEstimate?: string;
  notes: string[];
}

/** What the person at the gate is shown, and what stops the task before it. */
export interface PlanReview {
  plan: Plan;
  findings: PlanFinding[];
  cost: CostCheck;
  /** Unsuppressed CRITICAL findings and a budget overrun, as the R/O/A box lists them. */
  blocking: BlockingFinding[];
  /** Said among the gate's reasons (the cost difference the approver accepts). */
  reasons: string[];
  lines: string[];
}

const ORDER: Record<string, number> = { delete: 0, replace: 1, update: 2, create: 3, forget: 4, read: 5, 'no-op': 6 };
const MARK: Record<string, string> = { delete: '- delete ', replace: '± replace', update: '~ update ', create: '+ create ', forget: '. forget ', read: '< read   ' };

export function reviewPlan(ws: Workspace, project: string, task: TaskSpec, contract: Contract, kept: KeptPlan, overridden: ReadonlySet<string> = new Set()): PlanReview {
  const plan = readPlan(readFileSync(kept.plan_json, 'utf8'), path.basename(kept.plan_json));
  const rules = loadPlanRules(ws.guardrailsDir);
  const findings = checkPlan(plan, { rules, safetyExceptions: task.safetyExceptions ?? [], ...(task.businessCase ? { dataLossRisk: task.businessCase.risk.dataLoss } : {}) });
  const cost = checkCost(contract, project, task, kept);
  const blocking: BlockingFinding[] = blockingPlanFindings(findings).map((f) => ({ rule: `${f.rule}@${f.address}`, severity: f.severity, message: `${f.message}: ${f.detail}`, location: f.address }));
  if (cost.overBudget) blocking.push({ rule: `cost-over-budget@${project}`, severity: 'CRITICAL', message: cost.overBudget, location: 'contract provisioning.projects' });
  const reasons = cost.overEstimate ? [cost.overEstimate] : [];
  return { plan, findings, cost, blocking, reasons, lines: boxLines(task, kept, plan, findings, cost, overridden) };
}

function checkCost(contract: Contract, project: string, task: TaskSpec, kept: KeptPlan): CostCheck {
  const estimate = task.businessCase?.costEstimate.monthlyUsd ?? null;
  const tool = kept.cost_tool_monthly_usd;
  const budget = contract.provisioning.projects[project]?.monthly_budget_usd ?? null;
  const marginPercent = contract.provisioning.cost_margin_percent;
  const check: CostCheck = { estimate, tool, budget, marginPercent, notes: [] };
  if (budget === null) check.notes.push(`no monthly budget for ${project} in the contract (provisioning.projects.${project}.monthly_budget_usd): not checked against one`);
  else {
    const over = [estimate !== null && estimate > budget ? `the case's estimate ${usd(estimate)}` : '', tool !== null && tool > budget ? `the cost tool's ${usd(tool)}` : ''].filter(Boolean);
    if (over.length > 0) check.overBudget = `${over.join(' and ')} a month ${over.length > 1 ? 'are' : 'is'} above ${project}'s monthly budget of ${usd(budget)}`;
  }
  if (tool === null) check.notes.push('no cost tool figure (the project names no provision_cost command)');
  else if (estimate !== null && tool > estimate * (1 + marginPercent / 100)) {
    const pct = estimate > 0 ? `+${Math.round(((tool - estimate) / estimate) * 100)}%` : 'the estimate is 0';
    check.overEstimate = `cost: the plan costs ${usd(tool)}/month by the cost tool, the case estimates ${usd(estimate)}/month (${pct}, beyond the ${marginPercent}% margin); approving accepts the difference`;
  }
  return check;
}

const usd = (n: number): string => `$${n.toFixed(2)}`;

function boxLines(task: TaskSpec, kept: KeptPlan, plan: Plan, findings: PlanFinding[], cost: CostCheck, overridden: ReadonlySet<string>): string[] {
  const changes = [...plan.changes].sort((a, b) => (ORDER[a.action] ?? 9) - (ORDER[b.action] ?? 9));
  const count = (a: string): number => plan.changes.filter((c) => c.action === a).length;
  const bc = task.businessCase;
  const lines = [
    `Resource:     ${task.resource ?? '(none)'}`,
    `Plan file:    ${path.basename(kept.plan_file)} (sha256 ${kept.sha256.slice(0, 12)}), made ${kept.made_at}${plan.toolVersion ? `, tool ${plan.toolVersion}` : ''}`,
    `Changes:      ${count('create')} to create, ${count('update')} to update, ${count('replace')} to replace, ${count('delete')} to delete${count('no-op') ? `, ${count('no-op')} unchanged` : ''}`,
    ...changes.filter((c) => c.action !== 'no-op').map((c) => `  ${MARK[c.action] ?? c.action} ${c.address}${replaceWhy(c)}`),
    '',
    'Business case:',
    `  Justification: ${bc?.justification ?? '(none)'}`,
    `  Cost estimate: ${bc ? `${usd(bc.costEstimate.monthlyUsd)}/month (${bc.costEstimate.basis})` : '(none)'}`,
    '  Alternatives considered:',
    ...(bc?.alternatives ?? []).map((a, i) => `    ${i + 1}. ${a.option} (rejected: ${a.rejectedBecause})`),
    '  Risk assessment:',
    `    Security:    ${bc?.risk.security ?? '(none)'}`,
    `    Operational: ${bc?.risk.operational ?? '(none)'}`,
    `    Data loss:   ${bc?.risk.dataLoss ?? '(none)'}`,
    '',
    'Cost:',
    `  estimate ${cost.estimate === null ? 'none' : `${usd(cost.estimate)}/month`} · cost tool ${cost.tool === null ? 'none' : `${usd(cost.tool)}/month`} · budget ${cost.budget === null ? 'none' : `${usd(cost.budget)}/month`} · margin ${cost.marginPercent}%`,
    ...(cost.overBudget ? [`  ✖ ${cost.overBudget}`] : []),
    ...(cost.overEstimate ? [`  ! ${cost.overEstimate}`] : []),
    ...cost.notes.map((n) => `  · ${n}`),
    '',
    'Guardrails on the plan:',
    ...(findings.length === 0 ? ['  ✔ no findings (stateful destroys, public buckets, open ingress, encryption, versioning)'] : findings.map((f) => findingLine(f, overridden.has(`${f.rule}@${f.address}`)))),
  ];
  return lines;
}

function replaceWhy(c: ResourceChange): string {
  return c.action === 'replace' ? ' (destroyed, then created again)' : c.action === 'delete' ? ' (destroyed)' : '';
}

function findingLine(f: PlanFinding, overridden: boolean): string {
  const why = f.suppressed ? ` — let through by safety_exceptions: ${f.exception ?? ''}` : overridden ? ' — OVERRIDDEN by a person (see history --decisions)' : '';
  return `  [${f.severity}] ${f.rule} ${f.address}: ${f.detail}${why}`;
}
