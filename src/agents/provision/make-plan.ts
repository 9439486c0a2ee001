import { existsSync } from 'node:fs';
import path from 'node:path';
import { InputError, InterruptError } from '../../errors.js';
import { readPlan, type Plan } from '../../guardrails/plan/read-plan.js';
import { writeFileAtomic } from '../../workspace/write-file-atomic.js';
import { hashFile, nextPlanNumber, saveKeptPlan, type KeptPlan } from './kept-plan.js';
import { describeCommandFailure, runProvisionCommand, type ProvisionTarget } from './provision-target.js';
import { readCostFigure } from './read-cost.js';

/** The plan could not be made or read: one message, nothing to approve. */
export class PlanFailure extends Error {}

const MAX_PLAN_JSON = 64 * 1024 * 1024;

/** Plans into a new file, reads its JSON, asks the cost tool (if any), and keeps it as the task's plan. */
export async function makePlan(t: ProvisionTarget, previous: KeptPlan | undefined): Promise<KeptPlan> {
  const n = nextPlanNumber(t.dir, previous);
  const files = { planFile: path.join(t.dir, `plan-${n}.tfplan`), planJson: path.join(t.dir, `plan-${n}.json`) };
  saveKeptPlan(t.dir, { ...(previous ?? blank(files, t.environment)), state: 'discarded' });
  const planned = await runProvisionCommand(t, 'provision_plan', t.commands.plan, files);
  if (planned.cancelled) throw new InterruptError('provision_plan was interrupted');
  if (!planned.ok) throw new PlanFailure(describeCommandFailure('provision_plan', planned));
  if (!existsSync(files.planFile)) throw new PlanFailure(`provision_plan (${planned.argv.join(' ')}) exited 0 but wrote no plan file at ${files.planFile} (does it pass -out=\${PLAN_FILE}?)`);
  const sha256 = hashFile(files.planFile);
  if (!sha256) throw new PlanFailure(`cannot read the plan file ${files.planFile}`);
  const plan = await showPlan(t, files);
  writeFileAtomic(files.planJson, JSON.stringify(plan.raw));
  let cost: number | null = null;
  if (t.commands.cost) {
    const c = await runProvisionCommand(t, 'provision_cost', t.commands.cost, files);
    if (c.cancelled) throw new InterruptError('provision_cost was interrupted');
    if (!c.ok) throw new PlanFailure(describeCommandFailure('provision_cost', c));
    try {
      cost = readCostFigure(c.stdout, `provision_cost (${c.argv.join(' ')})`);
    } catch (e) {
      if (e instanceof InputError) throw new PlanFailure(e.message);
      throw e;
    }
  }
  const kept: KeptPlan = { plan_file: files.planFile, plan_json: files.planJson, sha256, made_at: new Date().toISOString(), environment: t.environment, state: 'pending', cost_tool_monthly_usd: cost };
  saveKeptPlan(t.dir, kept);
  return kept;
}

/** `show -json` of the plan file, read and checked. */
async function showPlan(t: ProvisionTarget, files: { planFile: string; planJson: string }): Promise<{ plan: Plan; raw: unknown }> {
  const shown = await runProvisionCommand(t, 'provision_show', t.commands.show, files, { maxOutputChars: MAX_PLAN_JSON });
  if (shown.cancelled) throw new InterruptError('provision_show was interrupted');
  if (!shown.ok) throw new PlanFailure(describeCommandFailure('provision_show', shown));
  if (shown.droppedChars > 0) throw new PlanFailure(`provision_show printed more than ${MAX_PLAN_JSON} characters: the plan JSON is too large to read`);
  try {
    const plan = readPlan(shown.stdout, `provision_show (${shown.argv.join(' ')})`);
    return { plan, raw: JSON.parse(shown.stdout) as unknown };
  } catch (e) {
    if (e instanceof InputError) throw new PlanFailure(e.message);
    throw e;
  }
}

function blank(files: { planFile: string; planJson: string }, environment: string): KeptPlan {
  return { plan_file: files.planFile, plan_json: files.planJson, sha256: '', made_at: new Date().toISOString(), environment, state: 'discarded', cost_tool_monthly_usd: null };
}
