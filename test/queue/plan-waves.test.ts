import { describe, expect, it } from 'vitest';
import { findCycle, planWaves } from '../../src/queue/plan-waves.js';

const t = (id: string, index: number, dependsOn: string[] = []) => ({ id, index, dependsOn });

describe('planning', () => {
  it('orders topologically, stable in file order, in waves', () => {
    const tasks = [t('D', 0, ['B', 'C']), t('C', 1, ['A']), t('B', 2, ['A']), t('A', 3), t('E', 4)];
    const plan = planWaves(tasks);
    // among the tasks ready at the same time, file order: after A, C (1) before B (2) before E (4)
    expect(plan.order).toEqual(['A', 'C', 'B', 'D', 'E']);
    expect(plan.waves).toEqual([
      { wave: 1, tasks: ['A', 'E'] },
      { wave: 2, tasks: ['C', 'B'] },
      { wave: 3, tasks: ['D'] },
    ]);
  });

  it('leaves out tasks that are done', () => {
    const plan = planWaves([t('A', 0), t('B', 1, ['A'])], (id) => (id === 'A' ? 'complete' : 'pending'));
    expect(plan.done).toEqual([{ id: 'A', status: 'complete' }]);
    expect(plan.waves).toEqual([{ wave: 1, tasks: ['B'] }]);
  });

  it('finds cycles in a 50,000-task chain without running out of stack', () => {
    const chain = Array.from({ length: 50_000 }, (_, i) => t(`T${i}`, i, i > 0 ? [`T${i - 1}`] : []));
    expect(findCycle(chain)).toBeUndefined();
    expect(planWaves(chain).waves).toHaveLength(50_000);
    chain[0] = t('T0', 0, ['T49999']);
    const cycle = findCycle(chain)!;
    expect(cycle[0]).toBe(cycle[cycle.length - 1]);
    expect(cycle).toHaveLength(50_001);
  });
});
