import type { Statement } from 'better-sqlite3';
import type { StateStore } from './state-store.js';

// Prepared once per open database: these run at every iteration.
const prepared = new WeakMap<StateStore['db'], Map<string, Statement>>();
function statement(store: StateStore, sql: string): Statement {
  let cache = prepared.get(store.db);
  if (!cache) prepared.set(store.db, (cache = new Map()));
  let stmt = cache.get(sql);
  if (!stmt) cache.set(sql, (stmt = store.db.prepare(sql)));
  return stmt;
}

export interface IterationMetricsRow {
  iteration_id: number;
  project: string;
  task_id: string;
  n: number;
  run_id: string;
  cost_usd: number | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cached_tokens: number | null;
  turns: number | null;
  duration_ms: number;
  retries: number;
  session_id: string | null;
  model: string | null;
  checkpoint: string | null;
  checkpoint_branch: string | null;
  log_file: string | null;
  stop_reason: string | null;
}

/** An iteration joined with its figures: what `history --iterations` and `logs` read. */
export type IterationWithMetrics = IterationMetricsRow & { state: string; verdict: string | null; promise_met: number | null; error: string | null; output_tail: string | null; started_at: string; ended_at: string | null };

export interface TaskTotals {
  task_id: string;
  iterations: number;
  cost_usd: number | null;
  tokens: number | null;
  turns: number | null;
  duration_ms: number;
}

// Kept beside the store (not in it): the coding loop's figures have their own table, 004.
export function saveIterationMetrics(store: StateStore, row: IterationMetricsRow): void {
  statement(
    store,
    `INSERT OR REPLACE INTO iteration_metrics (iteration_id, project, task_id, n, run_id, cost_usd, input_tokens, output_tokens, cached_tokens, turns, duration_ms, retries, session_id, model, checkpoint, checkpoint_branch, log_file, stop_reason)
       VALUES (@iteration_id, @project, @task_id, @n, @run_id, @cost_usd, @input_tokens, @output_tokens, @cached_tokens, @turns, @duration_ms, @retries, @session_id, @model, @checkpoint, @checkpoint_branch, @log_file, @stop_reason)`,
  ).run(row);
}

/** The task's iterations from `fromN` on (a person's reset starts a new attempt), with their figures. */
export function iterationsWithMetrics(store: StateStore, project: string, taskId: string, fromN = 1): IterationWithMetrics[] {
  return statement(
    store,
    `SELECT i.id AS iteration_id, i.project, i.task_id, i.n, i.run_id, i.state, i.verdict, i.promise_met, i.error, i.output_tail, i.started_at, i.ended_at,
              m.cost_usd, m.input_tokens, m.output_tokens, m.cached_tokens, m.turns, COALESCE(m.duration_ms, 0) AS duration_ms, COALESCE(m.retries, 0) AS retries,
              m.session_id, m.model, m.checkpoint, m.checkpoint_branch, m.log_file, m.stop_reason
       FROM iterations i LEFT JOIN iteration_metrics m ON m.iteration_id = i.id
       WHERE i.project = ? AND i.task_id = ? AND i.n >= ? ORDER BY i.id`,
  ).all(project, taskId, fromN) as IterationWithMetrics[];
}

/** Sums per task of the iterations since `baseOf(task)` (its current attempt). */
export function taskTotals(store: StateStore, project: string, baseOf: (taskId: string) => number): Map<string, TaskTotals> {
  const rows = statement(store, 'SELECT task_id, n, cost_usd, input_tokens, output_tokens, turns, duration_ms FROM iteration_metrics WHERE project = ?').all(project) as Pick<IterationMetricsRow, 'task_id' | 'n' | 'cost_usd' | 'input_tokens' | 'output_tokens' | 'turns' | 'duration_ms'>[];
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

/** What one run has spent so far (for --max-cost on a resumed run, from zero: a run is one invocation). */
export function runCost(store: StateStore, runId: string): number {
  const row = statement(store, 'SELECT SUM(cost_usd) AS cost FROM iteration_metrics WHERE run_id = ?').get(runId) as { cost: number | null };
  return row.cost ?? 0;
}
