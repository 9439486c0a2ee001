import type { TaskSpec } from '../agents/agent.js';
import type { TaskStatus } from './schema.js';

type PlanTask = Pick<TaskSpec, 'id' | 'dependsOn' | 'index'>;

/** One dependency cycle as the ids along it (`A -> B -> A`), or undefined when there is none. */
export function findCycle(tasks: readonly PlanTask[]): string[] | undefined {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const state = new Map<string, 1 | 2>(); // 1: on the current path, 2: done
  for (const root of tasks) {
    if (state.has(root.id)) continue;
    // Iterative DFS: a 50,000-task chain must not overflow the stack.
    const stack: { id: string; next: number }[] = [{ id: root.id, next: 0 }];
    state.set(root.id, 1);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      const deps = byId.get(frame.id)?.dependsOn ?? [];
      if (frame.next >= deps.length) {
        state.set(frame.id, 2);
        stack.pop();
        continue;
      }
      const dep = deps[frame.next++]!;
      if (!byId.has(dep)) continue;
      const s = state.get(dep);
      if (s === 1) {
        const from = stack.findIndex((f) => f.id === dep);
        return [...stack.slice(from).map((f) => f.id), dep];
      }
      if (s === undefined) {
        state.set(dep, 1);
        stack.push({ id: dep, next: 0 });
      }
    }
  }
  return undefined;
}

export interface Wave {
  wave: number;
  tasks: string[];
}

export interface Plan {
  /** Tasks that will not run: already complete, or final (blocked, failed, skipped). */
  done: { id: string; status: TaskStatus }[];
  waves: Wave[];
  /** Every task that will run, in the order a one-at-a-time run takes them. */
  order: string[];
}

/**
 * Topological order, stable: among tasks that are ready together, file order. Waves group the
 * tasks whose dependencies all finish in earlier waves. Tasks whose status is final are done.
 */
export function planWaves(tasks: readonly PlanTask[], status: (id: string) => TaskStatus = () => 'pending'): Plan {
  const done: Plan['done'] = [];
  const remaining = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  const index = new Map<string, number>();
  const live = tasks.filter((t) => {
    const s = status(t.id);
    if (s === 'complete' || s === 'blocked' || s === 'failed' || s === 'skipped') {
      done.push({ id: t.id, status: s });
      return false;
    }
    return true;
  });
  const liveIds = new Set(live.map((t) => t.id));
  for (const t of live) {
    index.set(t.id, t.index);
    const open = t.dependsOn.filter((d) => liveIds.has(d));
    remaining.set(t.id, open.length);
    for (const d of open) {
      const list = dependents.get(d);
      if (list) list.push(t.id);
      else dependents.set(d, [t.id]);
    }
  }
  const waveOf = new Map<string, number>();
  const heap = new MinHeap<string>((a, b) => (index.get(a) ?? 0) - (index.get(b) ?? 0));
  for (const t of live) if (remaining.get(t.id) === 0) heap.push(t.id);
  const order: string[] = [];
  const waves: Wave[] = [];
  while (heap.size > 0) {
    const id = heap.pop()!;
    order.push(id);
    const w = waveOf.get(id) ?? 1;
    while (waves.length < w) waves.push({ wave: waves.length + 1, tasks: [] });
    waves[w - 1]!.tasks.push(id);
    for (const next of dependents.get(id) ?? []) {
      waveOf.set(next, Math.max(waveOf.get(next) ?? 1, w + 1));
      const left = (remaining.get(next) ?? 1) - 1;
      remaining.set(next, left);
      if (left === 0) heap.push(next);
    }
  }
  for (const wave of waves) wave.tasks.sort((a, b) => (index.get(a) ?? 0) - (index.get(b) ?? 0));
  return { done, waves, order };
}

/** A binary heap: the plan and the scheduler take the next ready task in file order. */
export class MinHeap<T> {
  private readonly items: T[] = [];
  constructor(private readonly compare: (a: T, b: T) => number) {}

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    const items = this.items;
    let i = items.length;
    items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent] as T;
      if (this.compare(item, p) >= 0) break;
      items[i] = p;
      i = parent;
    }
    items[i] = item;
  }

  pop(): T | undefined {
    const items = this.items;
    if (items.length === 0) return undefined;
    const top = items[0] as T;
    const last = items.pop() as T;
    const n = items.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const child = r < n && this.compare(items[r] as T, items[l] as T) < 0 ? r : l;
        if (this.compare(items[child] as T, last) >= 0) break;
        items[i] = items[child] as T;
        i = child;
      }
      items[i] = last;
    }
    return top;
  }
}
