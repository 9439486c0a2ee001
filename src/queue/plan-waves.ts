import type { TaskSpec } from './task-spec.js';
import type { TaskStatus } from './schema.js';

type PlanTask = Pick<TaskSpec, 'id' | 'dependsOn' | 'index'>;

/** One dependency cycle as the ids along it (`A -> B -> A`), or undefined when there is none. */
export function findCycle(tasks: readonly PlanTask[]): string[] | undefined {
  // Kahn's algorithm over positions first: linear, and enough to say there is no cycle.
  const graph = indexGraph(tasks, () => true);
  const remaining = graph.openDeps.slice();
  const ready: number[] = [];
  for (let p = 0; p < tasks.length; p++) if (remaining[p] === 0) ready.push(p);
  let seen = 0;
  while (ready.length > 0) {
    const p = ready.pop()!;
    seen++;
    for (const next of graph.dependents[p]!) if (--remaining[next]! === 0) ready.push(next);
  }
  return seen === tasks.length ? undefined : traceCycle(tasks);
}

/** The cycle itself, by depth-first search (iterative: a 50,000-task chain must not overflow the stack). */
function traceCycle(tasks: readonly PlanTask[]): string[] | undefined {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const state = new Map<string, 1 | 2>(); // 1: on the current path, 2: done
  for (const root of tasks) {
    if (state.has(root.id)) continue;
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

/**
 * The dependency graph over positions in `tasks`, for the tasks `included` says: for each, how
 * many of its dependencies are included, and which included tasks depend on it.
 */
function indexGraph(tasks: readonly PlanTask[], included: (p: number) => boolean): { openDeps: Int32Array; dependents: number[][] } {
  const position = new Map<string, number>();
  tasks.forEach((t, p) => {
    if (included(p)) position.set(t.id, p);
  });
  const openDeps = new Int32Array(tasks.length);
  const dependents: number[][] = Array.from({ length: tasks.length }, () => []);
  tasks.forEach((t, p) => {
    if (!included(p)) return;
    for (const dep of t.dependsOn) {
      const d = position.get(dep);
      if (d === undefined) continue;
      openDeps[p]!++;
      dependents[d]!.push(p);
    }
  });
  return { openDeps, dependents };
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
  const live = tasks.map((t) => {
    const s = status(t.id);
    if (s === 'complete' || s === 'blocked' || s === 'failed' || s === 'skipped') {
      done.push({ id: t.id, status: s });
      return false;
    }
    return true;
  });
  const { openDeps: remaining, dependents } = indexGraph(tasks, (p) => live[p]!);
  const waveOf = new Int32Array(tasks.length).fill(1);
  const heap = new MinHeap<number>((a, b) => tasks[a]!.index - tasks[b]!.index);
  for (let p = 0; p < tasks.length; p++) if (live[p] && remaining[p] === 0) heap.push(p);
  const order: string[] = [];
  const wavePositions: number[][] = [];
  while (heap.size > 0) {
    const p = heap.pop()!;
    order.push(tasks[p]!.id);
    const w = waveOf[p]!;
    while (wavePositions.length < w) wavePositions.push([]);
    wavePositions[w - 1]!.push(p);
    for (const next of dependents[p]!) {
      if (waveOf[next]! < w + 1) waveOf[next] = w + 1;
      if (--remaining[next]! === 0) heap.push(next);
    }
  }
  const waves = wavePositions.map((positions, i) => ({
    wave: i + 1,
    tasks: positions.sort((a, b) => tasks[a]!.index - tasks[b]!.index).map((p) => tasks[p]!.id),
  }));
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
