// One engine benchmark in its own process (so peak RSS is its own): a generated queue through
// the real loop, state store and write-back, with the in-process no-op agent. The queue file is
// written by the parent (run-bench), so that generating it is not counted here.
import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { runLoop } from '../src/engine/run-loop.js';
import { loadWorkspaceQueue } from '../src/engine/load-workspace-queue.js';
import { planWaves } from '../src/queue/plan-waves.js';

const [dir, sizeArg, shape] = process.argv.slice(2) as [string, string, string];
const size = Number(sizeArg);
try {
  // The validation and plan, timed on their own; what they made is let go before the run (the
  // run reads the queue itself), so the run's peak memory is the loop's, not this harness's too.
  const { waves, validatePlanMs } = validateAndPlan();
  const t1 = performance.now();
  const summary = await runLoop({ root: dir, project: 'bench', logLevel: 'warn', syncIntervalMs: 250 });
  const runMs = performance.now() - t1;
  if (summary.counts.complete !== size) throw new Error(`only ${summary.counts.complete} of ${size} complete`);
  process.stdout.write(
    `${JSON.stringify({
      size,
      shape,
      waves,
      validate_plan_ms: round(validatePlanMs),
      run_ms: round(runMs),
      per_task_ms: round(runMs / size, 4),
      peak_rss_mb: round(process.resourceUsage().maxRSS / 1024),
    })}\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function validateAndPlan(): { waves: number; validatePlanMs: number } {
  const t0 = performance.now();
  const { queue: loaded } = loadWorkspaceQueue(dir, 'bench');
  const plan = planWaves(loaded.tasks, (id) => loaded.fileStatus.get(id) ?? 'pending');
  return { waves: plan.waves.length, validatePlanMs: performance.now() - t0 };
}

function round(n: number, digits = 1): number {
  return Number(n.toFixed(digits));
}
