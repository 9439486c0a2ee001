import { InputError } from '../../errors.js';
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
 * last 20 per project), exit 1 when blocked. With --json, cli/main prints an error as JSON too.
 */
export async function readinessCommand(opts: ReadinessOptions): Promise<void> {
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
