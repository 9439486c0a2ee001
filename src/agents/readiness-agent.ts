import { realpathSync } from 'node:fs';
import path from 'node:path';
import { formatReadinessReport, formatSummaryLine, readLastDeployedVersion, reviewReadiness, writeReview, type AppliedMigrations, type ReadinessReport } from '../readiness/index.js';
import type { Environment } from '../workspace/environment.js';
import type { Workspace } from '../workspace/paths.js';
import type { Agent, IterationContext, IterationResult } from './agent.js';
import { interpolate } from './deploy/command-variables.js';
import { inheritedVariables } from './deploy/command-environment.js';
import { listChangedFiles, releaseTag } from './deploy/git-release.js';
import { parseMigrationStatus } from './deploy/migration-state.js';
import { loadProjectConfig, type ProjectConfig } from './project-config.js';
import { runCommand } from './run-command.js';

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
    const appliedMigrations = await ctx.steps.run('applied-migrations', () => gatherAppliedMigrations(ctx.workspace, config, environment), { redoSafe: true });
    report = await ctx.steps.run(
      'readiness-review',
      () =>
        reviewReadiness({
          project: ctx.project,
          projectPath: config.path,
          environment,
          healthCheckConfigured: section?.healthCheck !== undefined,
          rollbackConfigured: section?.commands.rollback !== undefined,
          appliedMigrations,
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

const STATUS_TIMEOUT_MS = 60_000;

/**
 * What is applied in the environment: the project file's `migrate_status` when it has one (its
 * `{"applied": [...]}` line), else the migrations changed since the tag of the last version
 * deployed there, else nothing known (the review then takes every migration as pending).
 */
export async function gatherAppliedMigrations(ws: Workspace, config: ProjectConfig, environment: Environment): Promise<AppliedMigrations> {
  const section = config.environments[environment];
  const status = section?.commands.migrate_status;
  let statusProblem = '';
  if (section && status) {
    const vars: Record<string, string> = { ENVIRONMENT: environment, PROJECT: config.project, PROJECT_PATH: config.path, WORKSPACE_ROOT: ws.root, NODE: process.execPath, VERSION: '' };
    if (section.port !== undefined) vars.PORT = String(section.port);
    const env = Object.fromEntries(Object.entries(section.env).map(([k, v]) => [k, interpolate(v, vars)]));
    const result = await runCommand({ argv: status.map((a) => interpolate(a, { ...vars, ...env })), cwd: config.path, env: { ...inheritedVariables(config), ...vars, ...env }, inheritEnv: false, timeoutMs: Math.min(section.timeoutsMs.migrate_status, STATUS_TIMEOUT_MS) });
    const parsed = result.ok ? parseMigrationStatus(result.stdout) : undefined;
    if (parsed) return { basis: `migrate_status of ${environment}`, applied: parsed.applied };
    statusProblem = result.ok ? `migrate_status printed no {"applied": [...]} line; ` : `migrate_status failed (exit ${String(result.exitCode)}); `;
  }
  const version = readLastDeployedVersion(ws.aibrainDir, config.project, environment);
  if (version !== undefined) {
    const tag = releaseTag(version);
    const changed = await listChangedFiles(config.git.repo, config.path, version);
    if (changed.length > 0 || (await tagExists(config, tag))) return { basis: `${statusProblem}changed since tag ${tag} (last deployed to ${environment})`, changedFiles: changed };
    statusProblem += `no tag ${tag} of the last deployed version; `;
  }
  const history = await readFileHistory(config.path, config.git.repo);
  const basis = `${statusProblem}no migrate_status command and no tag of a version deployed to ${environment}`;
  return history ? { basis, fileHistory: history } : { basis };
}

/**
 * When each file of the project last changed in git, and the newest commit: undefined outside a git repository.
 * `repo` is the repository the project declares as its own (`git.repo`, default its path): a project in a
 * subfolder of it (a monorepo) is read with `git log -- <subfolder>` from the repository's top, paths
 * relative to the project.
 */
export async function readFileHistory(projectPath: string, repo: string = projectPath): Promise<{ newestCommit: number; lastChanged: Record<string, number> } | undefined> {
  // Only the project's declared repository: a folder inside another repository (a fixture, a vendored copy) has that repository's history, not its own.
  const top = await runCommand({ argv: ['git', 'rev-parse', '--show-toplevel'], cwd: projectPath, timeoutMs: 10_000 });
  if (!top.ok) return undefined;
  const root = realpathOf(top.stdout.trim());
  const project = realpathOf(projectPath);
  if (root !== realpathOf(repo)) return undefined;
  const sub = path.relative(root, project);
  if (sub.startsWith('..') || path.isAbsolute(sub)) return undefined;
  const prefix = sub === '' ? '' : `${sub.split(path.sep).join('/')}/`;
  const result = await runCommand({ argv: ['git', 'log', '--format=@%ct', '--name-only', '--no-renames', '--', sub === '' ? '.' : sub], cwd: root, timeoutMs: 30_000 });
  if (!result.ok) return undefined;
  const lastChanged: Record<string, number> = {};
  let newestCommit = 0;
  let at = 0;
  for (const line of result.stdout.split('\n')) {
    const stamp = /^@(\d+)$/.exec(line.trim());
    if (stamp?.[1]) {
      at = Number(stamp[1]);
      newestCommit = Math.max(newestCommit, at);
    } else if (line.trim().startsWith(prefix)) {
      const rel = line.trim().slice(prefix.length);
      if (lastChanged[rel] === undefined) lastChanged[rel] = at;
    }
  }
  // The newest commit of the repository, whatever it touched (a path-limited log skips commits elsewhere).
  const head = await runCommand({ argv: ['git', 'log', '-1', '--format=%ct'], cwd: root, timeoutMs: 10_000 });
  if (head.ok && /^\d+$/.test(head.stdout.trim())) newestCommit = Math.max(newestCommit, Number(head.stdout.trim()));
  return newestCommit > 0 ? { newestCommit, lastChanged } : undefined;
}

function realpathOf(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

async function tagExists(config: ProjectConfig, tag: string): Promise<boolean> {
  const result = await runCommand({ argv: ['git', 'rev-parse', '--verify', '--quiet', `refs/tags/${tag}`], cwd: config.git.repo, timeoutMs: 10_000 });
  return result.ok;
}
