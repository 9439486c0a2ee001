import { existsSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../../errors.js';
import type { Contract } from '../../gates/contract.js';
import type { ProvisioningOutcome, ProvisioningRecordInput } from '../../records/provisioning-record.js';
import type { Agent, GatePreparation, IterationContext, IterationResult } from '../agent.js';
import { applyKeptPlan } from './apply-plan.js';
import { hashFile, readKeptPlan, saveKeptPlan, type KeptPlan } from './kept-plan.js';
import { PlanFailure, makePlan } from './make-plan.js';
import { prepareProvisionTarget, type ProvisionTarget } from './provision-target.js';
import { reviewPlan, type PlanReview } from './review-plan.js';
import { writeProvisioningDocument } from './write-document.js';

/**
 * `agent_type: provisioning`: before the gate it plans (once; the plan file is kept), reads the
 * JSON plan, runs the plan guardrails and the cost checks, and shows it all in the approval box;
 * after approval it applies exactly that plan file, records the attempt, and commits a document
 * to the infrastructure repository.
 */
export function createProvisioningAgent(options: { contract: Contract }): Agent {
  const { contract } = options;
  return {
    type: 'provisioning',
    redoSafe: false,
    async prepareGate(ctx, { replan }): Promise<GatePreparation> {
      const startedAt = new Date().toISOString();
      const title = `PROVISIONING APPROVAL REQUIRED (${(ctx.task.environment ?? '').toUpperCase()})`;
      let t: ProvisionTarget;
      let kept: KeptPlan;
      try {
        t = prepareProvisionTarget(ctx);
        const previous = readKeptPlan(t.dir);
        const reusable = previous && previous.state === 'pending' && !replan && previous.environment === t.environment && existsSync(previous.plan_json) && hashFile(previous.plan_file) === previous.sha256;
        kept = reusable ? previous : await makePlan(t, previous);
        if (reusable) ctx.progress(`provisioning: the kept plan ${kept.plan_file} (not planned again)`);
      } catch (e) {
        if (!(e instanceof PlanFailure) && !(e instanceof InputError)) throw e;
        await record(ctx, 'plan_failed', startedAt, { errors: [e.message] });
        return { title, lines: [], reasons: [], result: { verdict: 'FAIL', output: '', error: `no plan to approve: ${e.message}`, fatal: true } };
      }
      let review: PlanReview;
      try {
        review = reviewPlan(ctx.workspace, ctx.project, ctx.task, contract, kept, ctx.overridden);
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        await record(ctx, 'plan_failed', startedAt, { errors: [e.message], kept });
        return { title, lines: [], reasons: [], result: { verdict: 'FAIL', output: '', error: `no plan to approve: ${e.message}`, fatal: true } };
      }
      const prep: GatePreparation = {
        title,
        lines: review.lines,
        reasons: review.reasons,
        onRejected: (by) => record(ctx, 'rejected', startedAt, { kept, review, errors: [`rejected by ${by} at the gate`] }),
      };
      if (review.blocking.length > 0) {
        const error = `the plan is blocked: ${review.blocking.map((b) => `${b.rule.split('@')[0]} ${b.location ?? ''}`.trim()).join('; ')}`;
        prep.result = { verdict: 'BLOCKED', output: review.lines.join('\n'), error, findings: review.blocking };
        prep.onStopped = () => record(ctx, 'blocked', startedAt, { kept, review, errors: [error] });
      }
      return prep;
    },
    // (R)evert at a blocked plan: the plan is discarded (nothing was applied); the next attempt plans again.
    async revert(ctx: IterationContext): Promise<string> {
      const dir = prepareProvisionTarget(ctx).dir;
      const kept = readKeptPlan(dir);
      if (!kept || kept.state !== 'pending') return 'no plan waiting: nothing to discard';
      saveKeptPlan(dir, { ...kept, state: 'discarded' });
      return `discarded the plan ${path.basename(kept.plan_file)}; nothing was applied`;
    },
    async runIteration(ctx: IterationContext): Promise<IterationResult> {
      const startedAt = new Date().toISOString();
      const t = prepareProvisionTarget(ctx);
      const kept = readKeptPlan(t.dir);
      if (!kept || kept.state !== 'pending') {
        const error = `no approved plan waiting to be applied (${kept ? `the kept plan is ${kept.state}` : 'none kept'}): nothing applied; set the task back to pending to plan and be asked again`;
        return { verdict: 'FAIL', output: '', error, fatal: true };
      }
      const review = reviewPlan(ctx.workspace, ctx.project, ctx.task, contract, kept, ctx.overridden);
      const outcome = await ctx.steps.run('apply', () => applyKeptPlan(t, kept), { redoSafe: false });
      const approver = ctx.approvedBy?.() ?? 'unknown';
      const errors = outcome.error ? [outcome.error] : [];
      const result: ProvisioningOutcome = outcome.ok ? 'applied' : 'apply_failed';
      const base = fields(ctx, result, startedAt, { kept, review, errors, applied: outcome.applied });
      let document: ProvisioningRecordInput['document'] = null;
      if (t.config.infrastructure && (outcome.ok || outcome.applied.length > 0)) {
        const place = { repo: t.config.infrastructure.repo, folder: t.config.infrastructure.path };
        try {
          const doc = await ctx.steps.run('document', () => writeProvisioningDocument(place, ctx.project, ctx.task, base, approver), { redoSafe: true });
          document = { repo: place.repo, file: doc.file, commit: doc.commit };
          ctx.progress(`provisioning: documented in ${place.repo}/${doc.file} (commit ${doc.commit.slice(0, 12)})`);
        } catch (e) {
          errors.push(`the document was not committed to ${place.repo}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      await ctx.records.recordProvisioning({ ...base, errors, document });
      if (!outcome.ok) {
        const error = `${outcome.error ?? 'apply failed'}; applied before it stopped: ${outcome.applied.length > 0 ? outcome.applied.join(', ') : 'nothing'}. Nothing is applied again by itself: check the state with the IaC tool, then set the task back to pending to plan and be asked again`;
        return { verdict: 'FAIL', output: '', error, fatal: true };
      }
      return { verdict: 'PASS', output: `applied ${outcome.applied.length} resource change(s) of ${kept.plan_file}\n<promise>${ctx.task.completionPromise}</promise>` };
    },
  };
}

interface RecordParts {
  kept?: KeptPlan;
  review?: PlanReview;
  errors?: string[];
  applied?: string[];
}

function fields(ctx: IterationContext, outcome: ProvisioningOutcome, startedAt: string, parts: RecordParts): ProvisioningRecordInput {
  const { task } = ctx;
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
    approved_by: outcome === 'applied' || outcome === 'apply_failed' ? (ctx.approvedBy?.() ?? null) : null,
    applied: parts.applied ?? [],
    errors: parts.errors ?? [],
    document: null,
  };
}

// The case as the queue writes it (snake_case), so the record reads like the request.
function queueShape(bc: NonNullable<IterationContext['task']['businessCase']>): Record<string, unknown> {
  return {
    justification: bc.justification,
    cost_estimate: { monthly_usd: bc.costEstimate.monthlyUsd, basis: bc.costEstimate.basis },
    alternatives: bc.alternatives.map((a) => ({ option: a.option, rejected_because: a.rejectedBecause })),
    risk: { security: bc.risk.security, operational: bc.risk.operational, data_loss: bc.risk.dataLoss },
  };
}

function record(ctx: IterationContext, outcome: ProvisioningOutcome, startedAt: string, parts: RecordParts): Promise<void> {
  return ctx.records.recordProvisioning(fields(ctx, outcome, startedAt, parts));
}
