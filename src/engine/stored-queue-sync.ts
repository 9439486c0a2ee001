import { InputError } from '../errors.js';
import { parseQueue, taskFingerprints } from '../queue/load-queue.js';
import type { StoredQueue } from '../state/queue-revision.js';
import { targetArgs } from '../workspace/find-workspace.js';
import type { EngineContext, TaskState } from './engine-context.js';
import { queueFileId } from './file-marks.js';
import { queueConflicts } from './queue-conflicts.js';
import { mergeQueueFile, QueuePushLost, REMOVED } from './queue-merge.js';
import { takeRunningEdit } from './reconcile-tasks.js';

/** How often a runner on a shared store looks whether another machine changed the queue (ms). */
const LOOK_EVERY_MS = 1000;

/**
 * Keeps a run's queue and the store's in step (issue 23 item 4). A person's edit of this machine's
 * file (found by QueueSync) is merged into the store, compare-and-swap on its revision; on a store
 * several runners share, what other machines pushed (a task added, a description fixed) reaches
 * this run: the store holds the queue, each runner's file is where people speak on its machine.
 * Conflicts between machines' files are said on screen, each once.
 */
export class StoredQueueSync {
  #revision = -1;
  #lookedAt = 0;
  /** The definition each task of this run runs (JSON, as the store keeps it). */
  readonly #running = new Map<string, string>();
  readonly #said = new Set<string>();

  /** After the file was read (at start, or a person's edit): merge it, then take what the store holds. */
  async afterFileRead(ctx: EngineContext): Promise<boolean> {
    // The file's text is read once for both (thousands of tasks at every start); one machine's store
    // never takes definitions from elsewhere, so it keeps none.
    const fingerprints = taskFingerprints(ctx.sync.queue);
    if (ctx.store.sharedByRunners) for (const [id, definition] of fingerprints) this.#running.set(id, definition);
    try {
      const merge = await mergeQueueFile(ctx.store, ctx.project, ctx.sync.queue, undefined, fingerprints);
      if (merge.retries > 0) ctx.log.info({ retries: merge.retries }, 'queue pushed after other machines pushed meanwhile');
      this.#mergeDue = false;
    } catch (e) {
      if (!(e instanceof QueuePushLost)) throw e;
      // Other machines kept pushing: this file's edit is merged again at the next look, never dropped.
      this.#mergeDue = true;
      this.#say(ctx, `${e.message.replace(/; push again$/, '')}; this runner tries again`);
    }
    this.#revision = -1;
    return this.look(ctx, true);
  }

  /** A merge that lost to other machines' pushes too often in a row: tried again at the next look. */
  #mergeDue = false;

  /** On a shared store, now and then: what other machines pushed. Returns whether the run's tasks changed. */
  async look(ctx: EngineContext, now = false): Promise<boolean> {
    if (this.#mergeDue && !now && Date.now() - this.#lookedAt >= LOOK_EVERY_MS) {
      this.#lookedAt = Date.now();
      return this.afterFileRead(ctx);
    }
    if (!ctx.store.sharedByRunners) {
      if (now) await this.#sayConflicts(ctx);
      return false;
    }
    if (!now && Date.now() - this.#lookedAt < LOOK_EVERY_MS) return false;
    this.#lookedAt = Date.now();
    const stored = await ctx.store.storedQueue(ctx.project);
    if (stored.revision === this.#revision) return false;
    const changed = await this.#take(ctx, stored);
    this.#revision = stored.revision;
    await this.#sayConflicts(ctx);
    return changed;
  }

  async #take(ctx: EngineContext, stored: StoredQueue): Promise<boolean> {
    const marks = await ctx.store.fileMarks(ctx.project, queueFileId(ctx.sync.queue.file).fileKey);
    const inFile = new Set(ctx.sync.queue.tasks.map((t) => t.id));
    // A task a person removed from this machine's file stays out of this run (other machines keep it).
    const removed = stored.tasks.filter((t) => t.definition === REMOVED).map((t) => t.task_id);
    const tasks = stored.tasks.filter((t) => t.definition !== REMOVED && (inFile.has(t.task_id) || marks.get(t.task_id)?.definition !== REMOVED));
    const raw = tasks.map((t) => ({ ...(JSON.parse(t.definition) as Record<string, unknown>), status: ctx.tasks.get(t.task_id)?.status ?? 'pending' }));
    let specs;
    try {
      specs = parseQueue(JSON.stringify({ [ctx.sync.queue.tasksKey]: raw }), ctx.sync.queue.file, ctx.sync.defaults).tasks;
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      this.#say(ctx, `the queue in the state store (revision ${stored.revision}), as other machines pushed it, is not valid together with this one: ${e.message.split('\n').slice(0, 3).join(' ')}; this runner goes on with what it had`);
      return false;
    }
    const definitions = new Map(tasks.map((t) => [t.task_id, t.definition]));
    const added: string[] = [];
    const changed: string[] = [];
    const fresh: TaskState[] = [];
    for (const spec of specs) {
      const definition = definitions.get(spec.id) ?? '';
      if (this.#running.get(spec.id) === definition) continue;
      this.#running.set(spec.id, definition);
      const state = ctx.tasks.get(spec.id);
      if (state) {
        state.spec = state.status === 'in_progress' ? takeRunningEdit(state.spec, spec) : spec;
        changed.push(spec.id);
        continue;
      }
      const row = await ctx.store.task(ctx.project, spec.id);
      const joined: TaskState = row
        ? { spec, status: row.status as TaskState['status'], iterations: row.iterations, baseIteration: row.base_iteration, lastError: row.last_error, reason: row.reason }
        : { spec, status: 'pending', iterations: 0, baseIteration: 0, lastError: null, reason: null };
      ctx.tasks.set(spec.id, joined);
      if (!row) fresh.push(joined);
      added.push(spec.id);
    }
    if (fresh.length > 0) {
      await ctx.store.transaction(async (tx) => {
        for (const s of fresh) {
          if (await tx.task(ctx.project, s.spec.id)) continue; // saved meanwhile by the machine that added it
          await tx.saveTask(ctx.project, { task_id: s.spec.id, status: s.status, file_status: null, iterations: 0, base_iteration: 0, last_error: null, reason: null });
        }
      });
    }
    // Removed from the queue on another machine: out of this run too (a task running now finishes).
    const dependedOn = new Set([...ctx.tasks.values()].filter((t) => !removed.includes(t.spec.id)).flatMap((t) => t.spec.dependsOn));
    const dropped = removed.filter((id) => ctx.tasks.has(id) && ctx.tasks.get(id)?.status !== 'in_progress' && !dependedOn.has(id) && this.#running.get(id) !== REMOVED);
    for (const id of dropped) {
      ctx.tasks.delete(id);
      this.#running.set(id, REMOVED);
    }
    if (added.length === 0 && changed.length === 0 && dropped.length === 0) return false;
    ctx.emitter.emit('queue:reloaded', { added, changed, reset: [] });
    ctx.log.info({ added, changed, removed: dropped, revision: stored.revision }, 'queue changed on another machine');
    return true;
  }

  async #sayConflicts(ctx: EngineContext): Promise<void> {
    for (const c of await queueConflicts(ctx.store, ctx.project, `autonomous-loop push ${targetArgs(ctx.ws.root, ctx.project)}`)) this.#say(ctx, `queue conflict: ${c.message}`);
  }

  #say(ctx: EngineContext, message: string): void {
    if (this.#said.has(message)) return;
    this.#said.add(message);
    ctx.emitter.emit('warning', { message });
    ctx.log.warn({ problem: message }, 'queue');
  }
}
