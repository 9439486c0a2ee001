import type { Store, TaskRow } from '../state/store.js';

export interface StatusChange {
  id: string;
  status: string;
  iterations: number;
}

type Listener = (changes: StatusChange[]) => void;

interface Watch {
  listeners: Set<Listener>;
  seen: Map<string, string>;
  timer: NodeJS.Timeout | undefined;
  busy: boolean;
}

const key = (r: TaskRow): string => `${r.status}\u0000${r.iterations}\u0000${r.updated_at}`;

/**
 * Each project's task statuses, watched in the state store while a page follows them: one read
 * every `intervalMs` a project (shared by every open page of it), and each listener is told the
 * tasks whose row changed. Nothing is read for a project nobody follows.
 */
export class LiveStatus {
  readonly #store: Store;
  readonly #intervalMs: number;
  readonly #watches = new Map<string, Watch>();

  constructor(store: Store, intervalMs = 150) {
    this.#store = store;
    this.#intervalMs = intervalMs;
  }

  async follow(project: string, listener: Listener): Promise<() => void> {
    let watch = this.#watches.get(project);
    if (!watch) {
      watch = { listeners: new Set(), seen: new Map(), timer: undefined, busy: false };
      this.#watches.set(project, watch);
      for (const r of (await this.#store.tasks(project)).values()) watch.seen.set(r.task_id, key(r));
      const w = watch;
      w.timer = setInterval(() => void this.#look(project, w), this.#intervalMs);
    }
    watch.listeners.add(listener);
    const w = watch;
    return () => {
      w.listeners.delete(listener);
      if (w.listeners.size === 0) {
        clearInterval(w.timer);
        this.#watches.delete(project);
      }
    };
  }

  async #look(project: string, w: Watch): Promise<void> {
    if (w.busy || !this.#store.open) return;
    w.busy = true;
    try {
      const changes: StatusChange[] = [];
      for (const r of (await this.#store.tasks(project)).values()) {
        const k = key(r);
        if (w.seen.get(r.task_id) === k) continue;
        w.seen.set(r.task_id, k);
        changes.push({ id: r.task_id, status: r.status, iterations: r.iterations - r.base_iteration });
      }
      if (changes.length > 0) for (const l of w.listeners) l(changes);
    } catch {
      // The store could not be read this time: the next look tries again.
    } finally {
      w.busy = false;
    }
  }

  close(): void {
    for (const w of this.#watches.values()) clearInterval(w.timer);
    this.#watches.clear();
  }
}
