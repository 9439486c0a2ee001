import { formatReadinessReport, formatSummaryLine, reviewReadiness, writeReview, type ReadinessReport } from '../readiness/index.js';
import type { Agent, IterationContext, IterationResult } from './agent.js';
import { loadProjectConfig } from './project-config.js';

// agent_type "readiness": reviews the project's repository for production readiness. No BLOCKER:
// PASS with the promise. A BLOCKER: BLOCKED with the blocking findings. The review itself is
// complete either way, so the output carries the promise too: the engine only takes it from a
// BLOCKED iteration when a person overrides the verdict (a recorded decision).
export const readinessAgent: Agent = {
  type: 'readiness',
  redoSafe: true,
  async runIteration(ctx) {
    return runReview(ctx);
  },
  async revert() {
    return 'nothing to undo: the readiness review only wrote its report';
  },
};

async function runReview(ctx: IterationContext): Promise<IterationResult> {
  const environment = ctx.task.environment ?? 'production';
  let report: ReadinessReport;
  try {
    const config = loadProjectConfig(ctx.workspace, ctx.project);
    const section = config.environments[environment];
    report = await ctx.steps.run(
      'readiness-review',
      () =>
        reviewReadiness({
          project: ctx.project,
          projectPath: config.path,
          environment,
          healthCheckConfigured: section?.healthCheck !== undefined,
          ...(ctx.task.migrationsPath !== undefined ? { migrationsPath: ctx.task.migrationsPath } : {}),
        }),
      { redoSafe: true },
    );
  } catch (e) {
    return { verdict: 'FAIL', output: '', error: `readiness review: ${e instanceof Error ? e.message : String(e)}` };
  }
  const files = await ctx.steps.run('write-review', async () => writeReview(report, ctx.workspace.aibrainDir), { redoSafe: true });
  ctx.progress(`readiness ${environment}: ${formatSummaryLine(report)}`);
  const output = [formatReadinessReport(report), `Review written to ${files.markdown} and ${files.json}`, `<promise>${ctx.task.completionPromise}</promise>`].join('\n');
  if (!report.blocked) return { verdict: 'PASS', output };
  const blockers = report.findings.filter((f) => f.severity === 'BLOCKER');
  return {
    verdict: 'BLOCKED',
    output,
    error: `readiness: ${blockers.length} BLOCKER finding${blockers.length === 1 ? '' : 's'}: ${blockers.map((f) => `${f.id} ${f.title} (${f.location})`).join('; ')}`,
    findings: blockers.map((f) => ({ rule: `${f.id} ${f.rule}`, severity: f.severity, message: `${f.title}: ${f.recommendation}`, location: f.location })),
  };
}
