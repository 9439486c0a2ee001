import { existsSync } from 'node:fs';
import { InputError } from '../../errors.js';
import { loadWorkspaceQueue } from '../../engine/load-workspace-queue.js';
import { loadProjectConfig } from '../../agents/project-config.js';
import { gatherAppliedMigrations } from '../../agents/readiness-agent.js';
import { formatReadinessReport, reviewReadiness, writeReview } from '../../readiness/index.js';
import { normalizeEnvironment, type Environment } from '../../workspace/environment.js';
import { assertProjectName, queueFilePath, resolveWorkspace, type Workspace } from '../../workspace/paths.js';

export interface ReadinessOptions {
  project: string;
  root: string;
  env: string;
  json: boolean;
  migrationsPath?: string;
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
  // The folder the gate reviews: the one the queue's task for this environment names (or --migrations-path).
  const migrations = opts.migrationsPath !== undefined ? { path: opts.migrationsPath, from: '--migrations-path' } : queuedMigrationsPath(ws, project, environment);
  const report = await reviewReadiness({
    project,
    projectPath: config.path,
    environment,
    healthCheckConfigured: section?.healthCheck !== undefined,
    rollbackConfigured: section?.commands.rollback !== undefined,
    appliedMigrations: await gatherAppliedMigrations(ws, config, environment),
    ...(migrations ? { migrationsPath: migrations.path } : {}),
  });
  const files = writeReview(report, ws.aibrainDir);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ ...report, migrations_path: migrations ?? null, review_files: files }, null, 2)}\n`);
  } else {
    const which = migrations ? `Migrations reviewed: ${migrations.path} (${migrations.from === '--migrations-path' ? 'from --migrations-path' : `the folder task ${migrations.from} names`})` : 'Migrations reviewed: every migrations folder found in the project (no task names one)';
    process.stdout.write(`${formatReadinessReport(report)}\n${which}\nReview written to ${files.markdown} and ${files.json}\n`);
  }
  if (report.blocked) process.exitCode = 1;
}

/**
 * The migrations folder the cascade gate reviews for this environment: the `migrations_path` of the
 * queue's deployment or migration task there (one not complete first). Several different folders:
 * the person says which (--migrations-path). No queue, or no such task: undefined (every folder found).
 */
function queuedMigrationsPath(ws: Workspace, project: string, environment: Environment): { path: string; from: string } | undefined {
  if (!existsSync(queueFilePath(ws, project))) return undefined;
  const { queue } = loadWorkspaceQueue(ws.root, project);
  const named = queue.tasks.filter((t) => t.environment === environment && t.migrationsPath !== undefined && (t.agentType === 'deployment' || t.agentType === 'migration'));
  const open = named.filter((t) => queue.fileStatus.get(t.id) !== 'complete');
  const tasks = open.length > 0 ? open : named;
  const folders = [...new Set(tasks.map((t) => t.migrationsPath))];
  if (folders.length > 1) {
    throw new InputError(`${queue.displayFile}: the ${environment} tasks name different migrations folders (${tasks.map((t) => `${t.id}: ${t.migrationsPath}`).join(', ')}); say which to review with --migrations-path <folder>`);
  }
  const first = tasks[0];
  return first?.migrationsPath !== undefined ? { path: first.migrationsPath, from: first.id } : undefined;
}
