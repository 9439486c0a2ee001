import type { TaskSpec } from '../queue/task-spec.js';

export interface BudgetUse {
  iterations: number;
  costUsd: number | null;
  tokens: number | null;
  runtimeMs: number;
}

export interface BudgetStop {
  kind: 'budget:cost' | 'budget:tokens' | 'budget:runtime';
  reason: string;
}

const usd = (n: number): string => `$${n.toFixed(n < 1 ? 4 : 2)}`;

/** The first of the task's budgets that is spent, with the figures, or null. */
export function spentBudget(spec: TaskSpec, used: BudgetUse): BudgetStop | null {
  const over = `over ${used.iterations} iteration(s)`;
  if (spec.maxCostUsd !== undefined && used.costUsd !== null && used.costUsd >= spec.maxCostUsd) {
    return { kind: 'budget:cost', reason: `budget spent: max_cost_usd ${usd(spec.maxCostUsd)} (spent ${usd(used.costUsd)} ${over})` };
  }
  if (spec.maxTokens !== undefined && used.tokens !== null && used.tokens >= spec.maxTokens) {
    return { kind: 'budget:tokens', reason: `budget spent: max_tokens ${spec.maxTokens} (used ${used.tokens} ${over})` };
  }
  if (spec.maxRuntimeSeconds !== undefined && used.runtimeMs >= spec.maxRuntimeSeconds * 1000) {
    return { kind: 'budget:runtime', reason: `budget spent: max_runtime ${spec.maxRuntimeSeconds}s (ran ${Math.round(used.runtimeMs / 1000)}s ${over})` };
  }
  return null;
}

/** Wall time max_runtime leaves for the next iteration (undefined: no limit). */
export function timeLeftMs(spec: TaskSpec, used: BudgetUse): number | undefined {
  return spec.maxRuntimeSeconds === undefined ? undefined : Math.max(0, spec.maxRuntimeSeconds * 1000 - used.runtimeMs);
}
