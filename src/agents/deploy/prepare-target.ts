import path from 'node:path';
import type { IterationContext } from '../agent.js';
import { resolveInside, queueFilePath } from '../../workspace/paths.js';
import { environmentConfig, loadProjectConfig, requireCommand, type CommandName } from '../project-config.js';
import { describeVersionProblem } from './check-version.js';
import type { DeployTarget } from './deploy-target.js';

export type Prepared = { ok: true; target: DeployTarget; version: string | undefined } | { ok: false; error: string };

/**
 * Everything checked before a deployment or migration task runs anything: the task's environment
 * and version, the project file, the commands the task will need, its migrations folder.
 */
export function prepareTarget(ctx: IterationContext, needs: { version: boolean; commands: CommandName[]; why: string }): Prepared {
  const { task } = ctx;
  const where = `${path.relative(ctx.workspace.root, queueFilePath(ctx.workspace, ctx.project))}: task ${task.id}`;
  if (!task.environment) return { ok: false, error: `${where}: environment: missing (development, staging or production)` };
  if (needs.version && task.version === undefined) return { ok: false, error: `${where}: version: missing (the release to deploy)` };
  if (task.version !== undefined) {
    const problem = describeVersionProblem(`${where}: version`, task.version);
    if (problem) return { ok: false, error: problem };
  }
  try {
    const config = loadProjectConfig(ctx.workspace, ctx.project);
    const section = environmentConfig(config, task.environment, `task ${task.id} runs in ${task.environment}`);
    for (const name of needs.commands) requireCommand(config, section, name, needs.why);
    const target: DeployTarget = {
      project: ctx.project,
      environment: task.environment,
      workspace: ctx.workspace,
      config,
      section,
      signal: ctx.signal,
      log: ctx.log,
      progress: (line) => ctx.progress(line),
    };
    if (task.migrationsPath !== undefined) target.migrationsPath = resolveInside(config.path, task.migrationsPath, `${where}: migrations_path`);
    return { ok: true, target, version: task.version };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}
