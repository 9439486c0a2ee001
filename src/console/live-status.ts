import type { Store, TaskRow } from '../state/store.js';

export interface StatusChange {
  id: string;
  status: string;
  /** The status the page was told before (null: the task had no row yet, so the queue file's). */
  from: string | null;
  iterations: number;
}

type Listener = (changes: StatusChange[]) => void;

interface Watch {
  listeners: Set<Listener>;
  seen: Map<string, { key: string; status: string }>;
  timer: NodeJS.Timeout | undefined;
  busy: boolean;
  /** The newest updated_at seen: the next look asks from a little before it (clocks of other machines). */
  newest: string;
}

const MARGIN_MS = 5000;
const before = (iso: string): string => (iso ? new Date(Date.parse(iso) - MARGIN_MS).toISOString() : '');

const key = (r: TaskRow): string => `${r.status}\u0000${r.iterations}\u0000${r.updated_at}`;

/**
 * Each project's task statuses, watched in the state store while a page follows them: every
 * `intervalMs` the rows saved since the last look (shared by every open page of the project), and
 * each listener is told the tasks whose row changed. Nothing is read for a project nobody follows.
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
      watch = { listeners: new Set(), seen: new Map(), timer: undefined, busy: false, newest: '' };
      this.#watches.set(project, watch);
      for (const r of (await this.#store.tasks(project)).values()) {
        watch.seen.set(r.task_id, { key: key(r), status: r.status });
        if (r.updated_at > watch.newest) watch.newest = r.updated_at;
      }
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
      for (const r of await this.#store.tasksUpdatedSince(project, before(w.newest))) {
        if (r.updated_at > w.newest) w.newest = r.updated_at;
        const k = key(r);
        const before = w.seen.get(r.task_id);
        if (before?.key === k) continue;
        w.seen.set(r.task_id, { key: k, status: r.status });
        changes.push({ id: r.task_id, status: r.status, from: before?.status ?? null, iterations: r.iterations - r.base_iteration });
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
