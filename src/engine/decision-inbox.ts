import type { TaskStatus } from '../queue/schema.js';
import type { TaskRow } from '../state/store.js';
import type { EngineContext } from './engine-context.js';

// What a task's status may be here for a decision made elsewhere to be taken: settled by this run
// (never while it runs or is queued), and what the decision changes (a gate, a block, a pending
// task a person rejected before it ran).
const TAKES_FROM = new Set<TaskStatus>(['awaiting_approval', 'blocked', 'pending']);
// What `approve`, `reject` and `override` leave in the store.
const DECISION_OUTCOMES = new Set<string>(['pending', 'blocked']);

/** Whether the task waits here for a person's decision: at its gate, or blocked by a veto at this run's prompt. */
export function waitsForDecision(ctx: Pick<EngineContext, 'tasks' | 'vetoed'>, id: string): boolean {
  const status = ctx.tasks.get(id)?.status;
  return status === 'awaiting_approval' || (status === 'blocked' && ctx.vetoed.has(id));
}

/**
 * Takes into the run a decision the store holds for a task settled here (the task's state, this
 * machine's file at the next write-back, a `task:decided` event and line). False when the stored
 * row holds no decision this task may take (see TAKES_FROM): nothing is changed then.
 */
export async function applyStoredDecision(ctx: EngineContext, id: string, row: TaskRow): Promise<boolean> {
  const state = ctx.tasks.get(id);
  if (!state || !TAKES_FROM.has(state.status) || !DECISION_OUTCOMES.has(row.status) || row.status === state.status) return false;
  const was = state.status;
  state.status = row.status as TaskStatus;
  state.reason = row.reason;
  state.lastError = row.last_error;
  state.baseIteration = row.base_iteration;
  // This machine's queue file says it too at the next write-back.
  ctx.sync.setStatus(id, state.status);
  const last = (await ctx.store.taskDecisions(ctx.project, id)).at(-1);
  const decision = last ? decisionOf(last.record) : undefined;
  await ctx.store.addEvent(ctx.project, ctx.runId, id, 'task:decided', { status: state.status, was, ...decision });
  ctx.emitter.emit('task:decided', { taskId: id, status: state.status, was, ...(decision ?? {}) });
  ctx.log.info({ task: id, status: state.status, was, ...decision }, 'decision taken from the state store');
  return true;
}

/**
 * Decisions made in another process or on another machine (`approve`, `reject`, `override` with
 * the same store): the store signals them (PostgreSQL: LISTEN/NOTIFY, no polling) and the run takes
 * them at once: a task waiting at its gate starts, a --wait wakes.
 *
 * A signal is only a hint: one can be missed (a listener reconnecting, an `approve` that died
 * between storing the decision and signalling it). So every `recheckMs` the tasks waiting here for
 * a decision are read again as if signalled: a missed signal delays a decision, never loses it.
 */
export class DecisionInbox {
  readonly #ids = new Set<string>();
  #all = false;
  #stop: (() => Promise<void>) | undefined;
  readonly #recheckMs: number;
  #checkedAt = Date.now();

  constructor(recheckMs: number) {
    this.#recheckMs = recheckMs;
  }

  /** Listens on the store; `poke` is called for each signal (the scheduler syncs at once). */
  async open(ctx: EngineContext, poke: () => void): Promise<void> {
    this.#stop = await ctx.store.listen(
      ctx.project,
      (s) => {
        if (s.kind === 'resync') this.#all = true;
        else if (s.task_id) this.#ids.add(s.task_id);
        poke();
      },
      (trouble) => {
        const message = trouble ?? 'listening for decisions again: the state database is back';
        ctx.emitter.emit('warning', { message });
        if (trouble) ctx.log.warn({ problem: trouble }, 'listening for decisions');
        else ctx.log.info(message);
      },
    );
  }

  async close(): Promise<void> {
    const stop = this.#stop;
    this.#stop = undefined;
    await stop?.();
  }

  /**
   * Takes into the run what the store says of the tasks signalled since the last call, and (every
   * recheckMs) of the tasks waiting here for a decision; `busy` says which tasks this run has
   * queued or running (never touched). True when a status changed.
   */
  async take(ctx: EngineContext, busy: (id: string) => boolean): Promise<boolean> {
    if (Date.now() - this.#checkedAt >= this.#recheckMs) {
      this.#checkedAt = Date.now();
      for (const id of ctx.tasks.keys()) if (waitsForDecision(ctx, id)) this.#ids.add(id);
    }
    if (!this.#all && this.#ids.size === 0) return false;
    const ids = (this.#all ? [...ctx.tasks.keys()] : [...this.#ids]).filter((id) => !busy(id));
    this.#ids.clear();
    this.#all = false;
    if (ids.length === 0) return false;
    const rows = await readRows(ctx, ids);
    let changed = false;
    for (const id of ids) {
      const row = rows.get(id);
      // Taken meanwhile (the run's own look at the store may have taken it first): not again.
      if (row && !busy(id) && (await applyStoredDecision(ctx, id, row))) changed = true;
    }
    return changed;
  }
}

/** A few tasks' rows read one by one (a task waiting at its gate: one row, not the whole queue); many at once. */
async function readRows(ctx: EngineContext, ids: string[]): Promise<Map<string, TaskRow>> {
  if (ids.length > 8) return ctx.store.tasks(ctx.project);
  const rows = await Promise.all(ids.map((id) => ctx.store.task(ctx.project, id)));
  return new Map(ids.flatMap((id, i) => (rows[i] ? [[id, rows[i]] as const] : [])));
}

function decisionOf(record: string): { decision: string; by: string } | undefined {
  try {
    const r = JSON.parse(record) as { decision?: unknown; by?: unknown };
    return typeof r.decision === 'string' && typeof r.by === 'string' ? { decision: r.decision, by: r.by } : undefined;
  } catch {
    return undefined;
  }
}
