import path from 'node:path';
import type { Logger } from '../../log/create-logger.js';
import type { IterationContext } from '../agent.js';
import type { Environment } from '../../workspace/environment.js';
import { queueFilePath, resolveInside, type Workspace } from '../../workspace/paths.js';
import { environmentConfig, loadProjectConfig, requireCommand, type CommandName } from '../project-config.js';
import { describeVersionProblem } from '../../queue/check-version.js';
import type { DeployTarget } from './deploy-target.js';

export type Prepared = { ok: true; target: DeployTarget; version: string | undefined } | { ok: false; error: string };

export interface TargetInput {
  workspace: Workspace;
  project: string;
  environment: Environment;
  signal: AbortSignal;
  log: Logger;
  progress(line: string): void;
  /** Why the environment must be in the project file, for the message when it is not. */
  why: string;
}

/** The project file's environment as a target; InputError when the file or the environment is missing or wrong. */
export function openTarget(input: TargetInput): DeployTarget {
  const config = loadProjectConfig(input.workspace, input.project);
  const section = environmentConfig(config, input.environment, input.why);
  return {
    project: input.project,
    environment: input.environment,
    workspace: input.workspace,
    config,
    section,
    signal: input.signal,
    log: input.log,
    progress: input.progress,
  };
}

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
    const target = openTarget({
      workspace: ctx.workspace,
      project: ctx.project,
      environment: task.environment,
      signal: ctx.signal,
      log: ctx.log,
      progress: (line) => ctx.progress(line),
      why: `task ${task.id} runs in ${task.environment}`,
    });
    for (const name of needs.commands) requireCommand(target.config, target.section, name, needs.why);
    if (task.migrationsPath !== undefined) target.migrationsPath = resolveInside(target.config.path, task.migrationsPath, `${where}: migrations_path`);
    return { ok: true, target, version: task.version };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}
