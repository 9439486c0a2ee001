// One engine benchmark in its own process (so peak RSS is its own): a generated queue through
// the real loop, state store and write-back, with the in-process no-op agent.
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { runLoop } from '../src/engine/run-loop.js';
import { loadWorkspaceQueue } from '../src/engine/load-workspace-queue.js';
import { planWaves } from '../src/queue/plan-waves.js';
import { generateQueue, type Shape } from './generate-queue.js';

const size = Number(process.argv[2] ?? 10_000);
const shape = (process.argv[3] ?? 'layered') as Shape;
const dir = mkdtempSync(path.join(os.tmpdir(), 'al-bench-'));
try {
  mkdirSync(path.join(dir, 'tasks'));
  const queue = generateQueue(size, shape);
  writeFileSync(path.join(dir, 'tasks', 'work_queue_bench.json'), JSON.stringify(queue, null, 2));
  const t0 = performance.now();
  const { queue: loaded } = loadWorkspaceQueue(dir, 'bench');
  const plan = planWaves(loaded.tasks, (id) => loaded.fileStatus.get(id) ?? 'pending');
  const validatePlanMs = performance.now() - t0;
  const t1 = performance.now();
  const summary = await runLoop({ root: dir, project: 'bench', logLevel: 'warn', syncIntervalMs: 250 });
  const runMs = performance.now() - t1;
  if (summary.counts.complete !== size) throw new Error(`only ${summary.counts.complete} of ${size} complete`);
  process.stdout.write(
    `${JSON.stringify({
      size,
      shape,
      waves: plan.waves.length,
      validate_plan_ms: round(validatePlanMs),
      run_ms: round(runMs),
      per_task_ms: round(runMs / size, 4),
      peak_rss_mb: round(process.resourceUsage().maxRSS / 1024),
    })}\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function round(n: number, digits = 1): number {
  return Number(n.toFixed(digits));
}
