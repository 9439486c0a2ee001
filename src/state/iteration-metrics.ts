import type { Store } from './store.js';

export type { IterationFigures, IterationMetricsRow, IterationWithMetrics } from './store.js';

export interface TaskTotals {
  task_id: string;
  iterations: number;
  cost_usd: number | null;
  tokens: number | null;
  turns: number | null;
  duration_ms: number;
}

/** Sums per task of the iterations since `baseOf(task)` (its current attempt). */
export async function taskTotals(store: Store, project: string, baseOf: (taskId: string) => number): Promise<Map<string, TaskTotals>> {
  const rows = await store.iterationFigures(project);
  const totals = new Map<string, TaskTotals>();
  const add = (a: number | null, b: number | null): number | null => (b === null ? a : (a ?? 0) + b);
  for (const r of rows) {
    if (r.n <= baseOf(r.task_id)) continue;
    const t = totals.get(r.task_id) ?? { task_id: r.task_id, iterations: 0, cost_usd: null, tokens: null, turns: null, duration_ms: 0 };
    t.iterations++;
    t.cost_usd = add(t.cost_usd, r.cost_usd);
    t.tokens = add(add(t.tokens, r.input_tokens), r.output_tokens);
    t.turns = add(t.turns, r.turns);
    t.duration_ms += r.duration_ms;
    totals.set(r.task_id, t);
  }
  return totals;
}
