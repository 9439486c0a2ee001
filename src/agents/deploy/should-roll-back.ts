import type { IterationContext } from '../agent.js';
import type { Contract } from '../../gates/contract.js';
import type { DeployTarget } from './deploy-target.js';
import type { RollbackPlan } from './roll-back.js';

export interface RollbackDecision {
  rollBack: boolean;
  /** Who or what decided, for the output and the record. */
  why: string;
}

/**
 * Rolls back by itself where the contract allows it; production, and any environment whose
 * contract says `auto_rollback: false`, asks a person first. Nobody to ask: no rollback.
 */
export async function shouldRollBack(
  ctx: IterationContext,
  target: DeployTarget,
  contract: Contract,
  version: string,
  plan: RollbackPlan,
  error: string,
): Promise<RollbackDecision> {
  const { environment } = target;
  if (contract.environments[environment].auto_rollback && environment !== 'production') {
    return { rollBack: true, why: `auto_rollback in ${environment}` };
  }
  const undo = plan.migrations ? plan.migrations.current?.filter((id) => !plan.migrations?.keep.includes(id)) : [];
  const answer = await ctx.ask({
    title: `Roll back ${environment}?`,
    environment,
    lines: [
      `Project: ${ctx.project}`,
      `Environment: ${environment}`,
      `Version: ${version} (${ctx.task.id}, iteration ${ctx.iteration})`,
      `Failed: ${error}`,
      plan.toVersion ? `Roll back to: ${plan.toVersion}` : 'Roll back to: no earlier successful deployment here',
      `Migrations to undo: ${undo === undefined ? 'unknown (migrate status failed): down to the earlier state' : undo.length ? undo.join(', ') : 'none'}`,
    ],
  });
  if (answer === 'yes') return { rollBack: true, why: 'a person approved the rollback' };
  if (answer === 'no') return { rollBack: false, why: 'rollback declined by a person: nothing rolled back' };
  return { rollBack: false, why: `no rollback: ${environment} rolls back only when a person says so, and nobody could be asked (no terminal)` };
}
