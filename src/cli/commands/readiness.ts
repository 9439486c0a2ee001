import { InputError, LoopError } from '../../errors.js';
import { loadProjectConfig } from '../../agents/project-config.js';
import { gatherAppliedMigrations } from '../../agents/readiness-agent.js';
import { formatReadinessReport, reviewReadiness, writeReview } from '../../readiness/index.js';
import { normalizeEnvironment } from '../../workspace/environment.js';
import { assertProjectName, resolveWorkspace } from '../../workspace/paths.js';

export interface ReadinessOptions {
  project: string;
  root: string;
  env: string;
  json: boolean;
}

/**
 * `readiness --project p [--env e] [--json]`: review, keep the review in .aibrain/reviews/ (the
 * last 20 per project), exit 1 when blocked. With --json an error is JSON on stdout too.
 */
export async function readinessCommand(opts: ReadinessOptions): Promise<void> {
  try {
    await runReadiness(opts);
  } catch (error) {
    if (opts.json) {
      const exitCode = error instanceof LoopError ? error.exitCode : 70;
      process.stdout.write(`${JSON.stringify({ error: { message: error instanceof Error ? error.message : String(error), exit_code: exitCode } }, null, 2)}\n`);
    }
    throw error;
  }
}

async function runReadiness(opts: ReadinessOptions): Promise<void> {
  const environment = normalizeEnvironment(opts.env);
  if (!environment) throw new InputError(`--env: '${opts.env}' is not an environment (development, staging, production; dev, stage, prod)`);
  const project = assertProjectName(opts.project);
  const ws = resolveWorkspace(opts.root);
  const config = loadProjectConfig(ws, project);
  const section = config.environments[environment];
  const report = await reviewReadiness({
    project,
    projectPath: config.path,
    environment,
    healthCheckConfigured: section?.healthCheck !== undefined,
    rollbackConfigured: section?.commands.rollback !== undefined,
    appliedMigrations: await gatherAppliedMigrations(ws, config, environment),
  });
  const files = writeReview(report, ws.aibrainDir);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ ...report, review_files: files }, null, 2)}\n`);
  } else {
    process.stdout.write(`${formatReadinessReport(report)}\nReview written to ${files.markdown} and ${files.json}\n`);
  }
  if (report.blocked) process.exitCode = 1;
}
