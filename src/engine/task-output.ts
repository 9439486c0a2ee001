import type { Store } from '../state/store.js';

/** What the state store keeps of one iteration's output (the runner's own log keeps more). */
export const STORED_OUTPUT_PER_ITERATION = 256 * 1024;
/** The iterations of a task whose output the store keeps; older ones are pruned. */
export const STORED_OUTPUT_ITERATIONS = 3;
const FLUSH_MS = 250;

interface Pending {
  taskId: string;
  n: number;
  lines: string[];
}

/**
 * The tasks' output lines (already redacted) into the state store, so `logs TASK --follow` follows
 * a task from any machine with the database: batched (one write a task every FLUSH_MS), bounded
 * per iteration (STORED_OUTPUT_PER_ITERATION, then one line says the rest is not kept), and pruned
 * to the last STORED_OUTPUT_ITERATIONS iterations of a task. A failed write is said once
 * (`onError`) and that batch dropped: output never stops a task.
 */
export class TaskOutput {
  readonly #store: Store;
  readonly #project: string;
  readonly #runId: string;
  readonly #onError: (e: unknown) => void;
  readonly #pending = new Map<string, Pending>();
  readonly #stored = new Map<string, number>();
  readonly #lastIteration = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #failed = false;

  constructor(store: Store, project: string, runId: string, onError: (e: unknown) => void) {
    this.#store = store;
    this.#project = project;
    this.#runId = runId;
    this.#onError = onError;
  }

  add(taskId: string, n: number, line: string): void {
    const key = `${taskId}\u0000${n}`;
    const stored = this.#stored.get(key) ?? 0;
    if (stored > STORED_OUTPUT_PER_ITERATION) return;
    const size = Buffer.byteLength(line) + 1;
    let text = line;
    if (stored + size > STORED_OUTPUT_PER_ITERATION) text = `[… more output than the ${STORED_OUTPUT_PER_ITERATION / 1024} KB a stored iteration keeps: the rest is in the runner's log (.aibrain/ on its machine) …]`;
    this.#stored.set(key, stored + size);
    const pending = this.#pending.get(key);
    if (pending) pending.lines.push(text);
    else this.#pending.set(key, { taskId, n, lines: [text] });
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, FLUSH_MS);
    this.#timer.unref?.();
  }

  /** Writes what is pending (the run's end waits for it). */
  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing;
    if (this.#pending.size === 0) return;
    const batch = [...this.#pending.values()];
    this.#pending.clear();
    this.#flushing = (async () => {
      for (const p of batch) {
        try {
          await this.#store.appendOutput(this.#project, p.taskId, p.n, this.#runId, `${p.lines.join('\n')}\n`);
          if (this.#lastIteration.get(p.taskId) !== p.n) {
            this.#lastIteration.set(p.taskId, p.n);
            await this.#store.pruneOutput(this.#project, p.taskId, STORED_OUTPUT_ITERATIONS);
          }
        } catch (e) {
          if (!this.#failed) this.#onError(e);
          this.#failed = true;
        }
      }
    })();
    try {
      await this.#flushing;
    } finally {
      this.#flushing = undefined;
    }
  }

  async close(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.flush();
  }
}
