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
import { provisioningTitle } from './pending-plan.js';
import { provisioningFields, rejectionFields, type RecordParts } from './provisioning-fields.js';

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
      const title = provisioningTitle(ctx.task);
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
        // The same record as a rejection from another shell (`reject TASK`): one place makes it.
        onRejected: (by) => ctx.records.recordProvisioning(rejectionFields(ctx.task, by, startedAt, { kept, review }, 'at the gate')),
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

function record(ctx: IterationContext, outcome: ProvisioningOutcome, startedAt: string, parts: RecordParts): Promise<void> {
  return ctx.records.recordProvisioning(fields(ctx, outcome, startedAt, parts));
}

function fields(ctx: IterationContext, outcome: ProvisioningOutcome, startedAt: string, parts: RecordParts): ProvisioningRecordInput {
  return provisioningFields(ctx.task, outcome === 'applied' || outcome === 'apply_failed' ? (ctx.approvedBy?.() ?? null) : null, outcome, startedAt, parts);
}
