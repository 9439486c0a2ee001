import type PQueue from 'p-queue';
import { planWaves } from '../queue/plan-waves.js';
import type { EngineContext, TaskState } from './engine-context.js';
import { saveTask } from './engine-context.js';
import { runTask, type TaskOutcome } from './run-task.js';
import { mergeWaits, retryWaitingMerges } from './task-workplace.js';

type RunOutcome = 'done' | 'interrupted' | 'aborted' | 'capped' | 'paused';

const RUNNABLE = new Set(['pending', 'in_progress', 'awaiting_approval']);
const STOPS_DEPENDENTS = new Set(['failed', 'blocked', 'skipped']);

/**
 * Starts each task when its dependencies are complete, at most `concurrency` at once, in file
 * order among those ready; skips the dependents of a task that failed or was blocked.
 */
export class Scheduler {
  readonly #ctx: EngineContext;
  readonly #pq: PQueue;
  readonly #queued = new Set<string>();
  readonly #running = new Set<string>();
  readonly #waitedThisRun = new Set<string>();
  #dependents = new Map<string, string[]>();
  #outcome: RunOutcome = 'done';
  #fatal: unknown;
  #stopped = false;

  constructor(ctx: EngineContext, pq: PQueue) {
    this.#ctx = ctx;
    this.#pq = pq;
  }

  async run(syncIntervalMs: number, sync: () => Promise<boolean>): Promise<RunOutcome> {
    await retryWaitingMerges(this.#ctx);
    await this.refresh();
    // One sync at a time: the timer skips a beat while one is still going.
    let syncing: Promise<unknown> | undefined;
    const syncOnce = async (): Promise<void> => {
      while (syncing) await syncing.catch(() => undefined);
      const p = (async () => {
        if (await sync()) await this.#takeDecisions();
      })();
      syncing = p;
      try {
        await p;
      } finally {
        syncing = undefined;
      }
    };
    const timer = setInterval(() => {
      if (!syncing) void this.#guard(syncOnce);
    }, syncIntervalMs);
    try {
      for (;;) {
        await this.#pq.onIdle();
        if (this.#fatal !== undefined) throw this.#fatal;
        if (this.#stopped) break;
        await syncOnce();
        if (this.#pq.size === 0 && this.#pq.pending === 0) {
          if (!(await this.#waitForPeople(syncOnce))) break;
        }
      }
    } finally {
      clearInterval(timer);
      while (syncing) await syncing.catch(() => undefined);
    }
    if (this.#ctx.signal.aborted && this.#outcome === 'done') this.#outcome = 'interrupted';
    return this.#outcome;
  }

  /**
   * --wait: nothing left to run but tasks waiting for a person. Polls the queue file (where
   * `approve`, `reject` and `override` given in another shell put the task's new status) until a
   * decision comes or the run is interrupted; false when there is nothing to wait for.
   */
  async #waitForPeople(syncOnce: () => Promise<void>): Promise<boolean> {
    const wait = this.#ctx.waitForPeople;
    if (!wait || this.#ctx.signal.aborted) return false;
    const waiting = [...this.#ctx.tasks.values()].filter((t) => t.status === 'awaiting_approval' || (t.status === 'blocked' && this.#ctx.vetoed.has(t.spec.id)));
    if (waiting.length === 0) return false;
    const ids = waiting.map((t) => t.spec.id).join(', ');
    if (this.#waitingFor !== ids) {
      this.#waitingFor = ids;
      this.#ctx.emitter.emit('run:waiting', { taskIds: waiting.map((t) => t.spec.id), message: `waiting for a decision on ${ids} (approve, reject or override from another shell; Ctrl-C stops, the run resumes later)` });
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, wait.pollMs);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#ctx.signal.addEventListener('abort', done, { once: true });
    });
    if (this.#ctx.signal.aborted) return false;
    await syncOnce();
    return true;
  }

  #waitingFor = '';

  /** A person's edit or decision changed statuses: tasks that waited this run may go again. */
  async #takeDecisions(): Promise<void> {
    for (const id of [...this.#waitedThisRun]) {
      if (this.#ctx.tasks.get(id)?.status !== 'awaiting_approval') this.#waitedThisRun.delete(id);
    }
    for (const id of [...this.#ctx.vetoed]) {
      if (this.#ctx.tasks.get(id)?.status !== 'blocked') this.#ctx.vetoed.delete(id);
    }
    await this.refresh();
  }

  /** Looks at every task again: after the start and after a person edits the queue. */
  async refresh(): Promise<void> {
    const tasks = [...this.#ctx.tasks.values()].map((t) => t.spec);
    this.#dependents = new Map();
    for (const t of tasks) {
      for (const d of t.dependsOn) {
        const list = this.#dependents.get(d);
        if (list) list.push(t.id);
        else this.#dependents.set(d, [t.id]);
      }
    }
    // Tasks skipped for a dependency that is no longer stopped (a person set it back) run again.
    for (const id of planWaves(tasks).order) {
      const state = this.#ctx.tasks.get(id);
      if (state?.status === 'skipped' && state.reason?.startsWith('dependency ') && !this.#blockingDependency(state)) {
        await saveTask(this.#ctx, state, { status: 'pending', reason: null });
      }
    }
    for (const t of [...tasks].sort((a, b) => a.index - b.index)) await this.#evaluate(t.id);
  }

  #blockingDependency(state: TaskState): { id: string; status: string } | undefined {
    for (const d of state.spec.dependsOn) {
      const dep = this.#ctx.tasks.get(d);
      if (dep && STOPS_DEPENDENTS.has(dep.status)) return { id: d, status: dep.status };
    }
    return undefined;
  }

  async #evaluate(id: string): Promise<void> {
    if (this.#stopped || this.#queued.has(id) || this.#running.has(id)) return;
    const state = this.#ctx.tasks.get(id);
    if (!state || !RUNNABLE.has(state.status) || this.#waitedThisRun.has(id)) return;
    const blocking = this.#blockingDependency(state);
    if (blocking) {
      const reason = `dependency ${blocking.id} ${blocking.status}`;
      await saveTask(this.#ctx, state, { status: 'skipped', reason });
      await this.#ctx.store.addEvent(this.#ctx.project, this.#ctx.runId, id, 'task:skipped', { reason });
      this.#ctx.emitter.emit('task:skipped', { taskId: id, reason });
      for (const next of this.#dependents.get(id) ?? []) await this.#evaluate(next);
      return;
    }
    // A dependency complete but not merged yet: its dependents start from the merged result only.
    if (state.spec.dependsOn.some((d) => this.#ctx.tasks.get(d)?.status !== 'complete' || mergeWaits(this.#ctx.tasks.get(d)))) return;
    this.#queued.add(id);
    void this.#pq.add(() => this.#execute(id), { priority: -state.spec.index });
  }

  async #execute(id: string): Promise<void> {
    this.#queued.delete(id);
    const state = this.#ctx.tasks.get(id);
    if (this.#stopped || !state || !RUNNABLE.has(state.status)) return;
    this.#running.add(id);
    let outcome: TaskOutcome;
    try {
      outcome = await runTask(this.#ctx, state);
    } catch (e) {
      this.#fail(e);
      return;
    } finally {
      this.#running.delete(id);
    }
    this.#ctx.emitter.emit('task:end', { taskId: id, status: state.status, iterations: state.iterations - state.baseIteration, ...(state.reason ? { reason: state.reason } : {}) });
    await this.#guard(() => this.#settle(id, outcome));
  }

  async #settle(id: string, outcome: TaskOutcome): Promise<void> {
    if (outcome === 'interrupted' || outcome === 'aborted' || outcome === 'capped' || outcome === 'paused') {
      if (this.#outcome === 'done') this.#outcome = outcome;
      this.#stop();
      return;
    }
    if (outcome === 'waiting') this.#waitedThisRun.add(id);
    for (const next of this.#dependents.get(id) ?? []) await this.#evaluate(next);
  }

  #stop(): void {
    this.#stopped = true;
    this.#pq.clear();
  }

  #fail(e: unknown): void {
    this.#fatal ??= e;
    this.#stop();
  }

  async #guard(fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
    } catch (e) {
      this.#fail(e);
    }
  }
}
