// Generated queues for the benchmarks: a chain, a wide fan-out, and a layered DAG.
export type Shape = 'chain' | 'fanout' | 'layered';

export function generateQueue(size: number, shape: Shape): { project: string; features: Record<string, unknown>[] } {
  const features: Record<string, unknown>[] = [];
  const width = Math.max(1, Math.round(Math.sqrt(size)));
  for (let i = 0; i < size; i++) {
    let deps: string[] = [];
    if (shape === 'chain' && i > 0) deps = [`T${i - 1}`];
    if (shape === 'fanout' && i > 0) deps = ['T0'];
    if (shape === 'layered' && i >= width) {
      const layerStart = Math.floor(i / width) * width - width;
      deps = [`T${layerStart + (i % width)}`, `T${layerStart + ((i * 7 + 3) % width)}`];
      deps = [...new Set(deps)];
    }
    features.push({
      id: `T${i}`,
      description: `generated task ${i} of a ${shape} queue`,
      agent_type: 'noop',
      priority: i % 3 === 0 ? 'P0' : 2,
      owner: null,
      tests: [],
      status: 'pending',
      ...(deps.length > 0 ? { depends_on: deps } : {}),
    });
  }
  return { project: `bench-${shape}-${size}`, features };
}
