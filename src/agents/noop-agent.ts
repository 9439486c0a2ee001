import type { Agent } from './agent.js';

// Does nothing and keeps its promise at once: for dry runs and benchmarks.
export const noopAgent: Agent = {
  type: 'noop',
  redoSafe: true,
  async runIteration(ctx) {
    return { verdict: 'PASS', output: `<promise>${ctx.task.completionPromise}</promise>` };
  },
};
