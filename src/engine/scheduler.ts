import type PQueue from 'p-queue';
import { planWaves } from '../queue/plan-waves.js';
import type { EngineContext, TaskState } from './engine-context.js';
import { saveTask } from './engine-context.js';
import type { TaskOutcome } from './run-task.js';
import { mergeWaits, retryWaitingMerges } from './task-workplace.js';
import { runClaimed } from './claimed-run.js';
import { labelsFit, requiredLabels } from './runner-labels.js';
import { adoptStoredStatuses, workElsewhere } from './runner-wait.js';
import { rescueIntervalMs, tasksCutOff, tasksHeldElsewhere } from './runner-leftovers.js';

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
  /** Tasks another runner holds, or that need labels this runner lacks: looked at again after the next poll. */
  readonly #notHere = new Set<string>();
  readonly #saidUnplaceable = new Map<string, string>();
  #dependents = new Map<string, string[]>();
  #outcome: RunOutcome = 'done';
  #fatal: unknown;
  #stopped = false;
  /** Set while run() goes: a sync now, and the end of a --wait's pause. */
  #syncSoon: (() => void) | undefined;
  #endPause: (() => void) | undefined;
  /** The run's --concurrency; one more slot is lent to a task cut off by a dead runner while all are busy. */
  readonly #slots: number;
  #rescueSlotLent = false;
  /** Tasks with a rescue entry in the queue (not yet ended): one at a time each. */
  readonly #rescuing = new Set<string>();

  constructor(ctx: EngineContext, pq: PQueue) {
    this.#ctx = ctx;
    this.#pq = pq;
    this.#slots = pq.concurrency;
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
    this.#syncSoon = () => void this.#guard(syncOnce);
    const timer = setInterval(() => {
      if (!syncing) void this.#guard(syncOnce);
    }, syncIntervalMs);
    // Several runners: a task whose runner died is looked for on a timer tied to the lease, busy or not.
    let rescuing: Promise<void> | undefined;
    const runner = this.#ctx.runner;
    const rescueTimer = runner?.cooperative
      ? setInterval(() => {
          rescuing ??= this.#rescue().finally(() => (rescuing = undefined));
        }, rescueIntervalMs(runner.leaseMs))
      : undefined;
    try {
      for (;;) {
        await this.#pq.onIdle();
        if (this.#fatal !== undefined) throw this.#fatal;
        if (this.#stopped) break;
        await syncOnce();
        if (this.#pq.size === 0 && this.#pq.pending === 0) {
          if (await this.#waitForRunners()) continue;
          if (!(await this.#waitForPeople(syncOnce))) break;
        }
      }
    } finally {
      this.#syncSoon = undefined;
      clearInterval(timer);
      clearInterval(rescueTimer);
      while (syncing) await syncing.catch(() => undefined);
      await rescuing;
    }
    if (this.#ctx.signal.aborted && this.#outcome === 'done') this.#outcome = 'interrupted';
    return this.#outcome;
  }

  /** Something changed elsewhere (a decision the store signalled): sync at once, and end a --wait's pause. */
  poke(): void {
    this.#endPause?.();
    this.#syncSoon?.();
  }

  /** Whether this run has the task queued or running (nothing from elsewhere may change it then). */
  busy(id: string): boolean {
    return this.#queued.has(id) || this.#running.has(id);
  }

  /**
   * --wait: nothing left to run but tasks waiting for a person. Waits until a decision comes (the
   * store signals one at once, `poke`; the queue file, where a person may also set a status, is
   * read every pollMs) or the run is interrupted; false when there is nothing to wait for.
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
      const done = (): void => {
        clearTimeout(timer);
        this.#ctx.signal.removeEventListener('abort', done);
        this.#endPause = undefined;
        resolve();
      };
      const timer = setTimeout(done, wait.pollMs);
      this.#endPause = done;
      this.#ctx.signal.addEventListener('abort', done, { once: true });
    });
    if (this.#ctx.signal.aborted) return false;
    await syncOnce();
    return true;
  }

  #waitingFor = '';

  /**
   * Several runners: nothing left here, but others still work (a claim held, a task made ready
   * that a live runner can take). Takes what they did from the store, looks at every task again,
   * and waits a poll when there is still nothing to run here. False: nothing to wait for.
   */
  async #waitForRunners(): Promise<boolean> {
    const runner = this.#ctx.runner;
    if (!runner || this.#ctx.signal.aborted || this.#stopped) return false;
    if (runner.cooperative) {
      if (await adoptStoredStatuses(this.#ctx, this.#running)) this.#letDecidedGo();
      this.#notHere.clear();
      // Held by another runner now: not asked for again until the next poll.
      for (const id of await tasksHeldElsewhere(this.#ctx)) this.#notHere.add(id);
      await this.refresh();
      if (this.#pq.size > 0 || this.#pq.pending > 0) return true;
    }
    const { stay, unplaceable } = await workElsewhere(this.#ctx);
    for (const [id, message] of unplaceable) {
      if (this.#saidUnplaceable.get(id) === message) continue;
      this.#saidUnplaceable.set(id, message);
      this.#ctx.emitter.emit('warning', { message: `${id}: ${message}` });
    }
    this.#ctx.waitingForRunner = unplaceable;
    // --wait: a person asked this runner to wait for what comes from elsewhere; a runner with the
    // labels a ready task needs may still start (two machines' runners are never started at the
    // same instant), so the task's dependents are not given up on.
    if (!stay && !(this.#ctx.waitForPeople && unplaceable.size > 0)) return false;
    // The abort listener goes when the poll ends: one left per 250 ms poll leaked (MaxListenersExceededWarning on an idle runner).
    await new Promise<void>((resolve) => {
      const signal = this.#ctx.signal;
      const timer = setTimeout(done, runner.pollMs);
      function done(): void {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
    return !this.#ctx.signal.aborted;
  }

  /**
   * Several runners: tasks another runner held when it stopped renewing its lease (killed, paused,
   * cut off) are resumed here at once — in a free slot, or in the one slot lent beyond
   * --concurrency when every slot is busy (a long task would otherwise keep them waiting). What
   * other runners did is taken from the store first (the task's dependencies completed there).
   */
  async #rescue(): Promise<void> {
    if (this.#stopping()) return;
    try {
      const cut = (await tasksCutOff(this.#ctx)).filter((id) => !this.#running.has(id) && !this.#rescuing.has(id));
      if (cut.length === 0 || this.#stopping()) return;
      if (await adoptStoredStatuses(this.#ctx, new Set([...this.#running, ...this.#queued]))) this.#letDecidedGo();
      for (const id of cut) {
        this.#notHere.delete(id);
        // Queued here already, behind busy slots: it goes first now, in a lent slot (the older entry finds it taken).
        if (this.#queued.has(id)) this.#enqueueRescue(id);
        else await this.#evaluate(id, true);
      }
    } catch (e) {
      // A look that failed (the database away a moment) is tried again at the next tick; the run goes on.
      this.#ctx.log.warn({ err: e instanceof Error ? e.message : String(e) }, 'could not look for tasks cut off by a runner that stopped');
    }
  }

  /** A person's edit or decision changed statuses: tasks that waited this run may go again. */
  async #takeDecisions(): Promise<void> {
    this.#letDecidedGo();
    await this.refresh();
  }

  /** Tasks that waited this run and are decided now (whoever took the decision) are held back no more. */
  #letDecidedGo(): void {
    for (const id of [...this.#waitedThisRun]) {
      if (this.#ctx.tasks.get(id)?.status !== 'awaiting_approval') this.#waitedThisRun.delete(id);
    }
    for (const id of [...this.#ctx.vetoed]) {
      if (this.#ctx.tasks.get(id)?.status !== 'blocked') this.#ctx.vetoed.delete(id);
    }
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

  async #evaluate(id: string, rescue = false): Promise<void> {
    if (this.#stopping() || this.#queued.has(id) || this.#running.has(id) || this.#notHere.has(id)) return;
    const state = this.#ctx.tasks.get(id);
    // A task that waited this run is held back only while it still waits: a decision taken by any
    // path (a signal, the run's look at the store, the file) lets it go, never a signal alone.
    if (state?.status !== 'awaiting_approval') this.#waitedThisRun.delete(id);
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
    if (this.#ctx.runner && !labelsFit(this.#ctx.runner.labels, requiredLabels(state.spec, this.#ctx.contract))) {
      this.#notHere.add(id); // runs_on names labels this runner lacks: another runner's task
      return;
    }
    this.#queued.add(id);
    if (rescue) this.#enqueueRescue(id);
    else void this.#pq.add(() => this.#execute(id), { priority: -state.spec.index });
  }

  #enqueueRescue(id: string): void {
    this.#rescuing.add(id);
    // A rescue goes first; with every slot busy it borrows one more (one at a time), given back when it ends.
    const lend = this.#pq.pending >= this.#slots && !this.#rescueSlotLent;
    if (lend) this.#rescueSlotLent = true;
    void this.#pq.add(
      async () => {
        try {
          await this.#execute(id);
        } finally {
          this.#rescuing.delete(id);
          if (lend) {
            this.#rescueSlotLent = false;
            this.#pq.concurrency = this.#slots;
          }
        }
      },
      { priority: Number.MAX_SAFE_INTEGER },
    );
    // Raised after the add (which queues at once): the slot it frees starts the rescue, the head of the queue.
    if (lend) this.#pq.concurrency = this.#slots + 1;
  }

  async #execute(id: string): Promise<void> {
    this.#queued.delete(id);
    const state = this.#ctx.tasks.get(id);
    // Once Ctrl-C (or a failure) stops the run, nothing new starts, whatever was already queued.
    // Running already, or run and left waiting (a rescue entry went first): this older entry has nothing to do.
    if (this.#stopping() || !state || !RUNNABLE.has(state.status) || this.#running.has(id) || this.#waitedThisRun.has(id)) return;
    this.#running.add(id);
    let outcome: TaskOutcome;
    try {
      const claimed = await runClaimed(this.#ctx, state);
      if (claimed === 'elsewhere' || claimed === 'lost') {
        this.#notHere.add(id); // another runner holds it: what it did is read from the store at the next poll
        return;
      }
      outcome = claimed;
    } catch (e) {
      this.#fail(e);
      return;
    } finally {
      this.#running.delete(id);
    }
    if (outcome === 'interrupted' && state.status === 'in_progress') {
      // Nothing runs it any more: the truth is that it waits for the next run, which resumes it.
      const reason = `interrupted at iteration ${state.iterations + 1 - state.baseIteration}: the next run resumes it`;
      if (!(await this.#guard(() => saveTask(this.#ctx, state, { status: 'pending', reason })))) return;
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

  #stopping(): boolean {
    return this.#stopped || this.#ctx.signal.aborted;
  }

  #stop(): void {
    this.#stopped = true;
    this.#pq.clear();
  }

  #fail(e: unknown): void {
    this.#fatal ??= e;
    this.#stop();
  }

  /** Runs fn; a failure stops the run (false). */
  async #guard(fn: () => Promise<unknown>): Promise<boolean> {
    try {
      await fn();
      return true;
    } catch (e) {
      this.#fail(e);
      return false;
    }
  }
}
