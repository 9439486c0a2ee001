import type { TaskStatus } from '../queue/schema.js';
import type { EngineContext } from './engine-context.js';

// What a task's status may be here for a decision made elsewhere to be taken: settled by this run
// (never while it runs or is queued), and what the decision changes (a gate, a block, a pending
// task a person rejected before it ran).
const TAKES_FROM = new Set<TaskStatus>(['awaiting_approval', 'blocked', 'pending']);
// What `approve`, `reject` and `override` leave in the store.
const DECISION_OUTCOMES = new Set<string>(['pending', 'blocked']);

/**
 * Decisions made in another process or on another machine (`approve`, `reject`, `override` with
 * the same store): the store signals them (PostgreSQL: LISTEN/NOTIFY, no polling) and the run takes
 * them at once: a task waiting at its gate starts, a --wait wakes.
 */
export class DecisionInbox {
  readonly #ids = new Set<string>();
  #all = false;
  #stop: (() => Promise<void>) | undefined;

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
   * Takes into the run what the store says of the tasks signalled since the last call; `busy`
   * says which tasks this run has queued or running (never touched). True when a status changed.
   */
  async take(ctx: EngineContext, busy: (id: string) => boolean): Promise<boolean> {
    if (!this.#all && this.#ids.size === 0) return false;
    const ids = this.#all ? [...ctx.tasks.keys()] : [...this.#ids];
    this.#ids.clear();
    this.#all = false;
    const rows = await ctx.store.tasks(ctx.project);
    let changed = false;
    for (const id of ids) {
      const state = ctx.tasks.get(id);
      const row = rows.get(id);
      if (!state || !row || busy(id) || !TAKES_FROM.has(state.status) || !DECISION_OUTCOMES.has(row.status) || row.status === state.status) continue;
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
      changed = true;
    }
    return changed;
  }
}

function decisionOf(record: string): { decision: string; by: string } | undefined {
  try {
    const r = JSON.parse(record) as { decision?: unknown; by?: unknown };
    return typeof r.decision === 'string' && typeof r.by === 'string' ? { decision: r.decision, by: r.by } : undefined;
  } catch {
    return undefined;
  }
}
