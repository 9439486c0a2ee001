import type { Logger } from '../../log/create-logger.js';
import type { Environment } from '../../workspace/environment.js';
import type { Workspace } from '../../workspace/paths.js';
import type { EnvironmentConfig, ProjectConfig } from '../project-config.js';
import { interpolate } from './command-variables.js';
import { inheritedVariables } from './command-environment.js';

/** One project in one environment: everything a step needs to run the project's commands there. */
export interface DeployTarget {
  project: string;
  environment: Environment;
  workspace: Workspace;
  config: ProjectConfig;
  section: EnvironmentConfig;
  /** The task's migrations folder (absolute), when it has one. */
  migrationsPath?: string;
  signal: AbortSignal;
  log: Logger;
  progress(line: string): void;
}

/** What the variables of a command come from. */
export type VariableSource = Pick<DeployTarget, 'project' | 'environment' | 'workspace' | 'config' | 'section' | 'migrationsPath'>;

/** The variables of a command run for `version` (plus extras such as MIGRATE_TARGET). */
export function commandVariables(target: VariableSource, version: string, extra: Record<string, string> = {}): Record<string, string> {
  const vars: Record<string, string> = {
    VERSION: version,
    ENVIRONMENT: target.environment,
    PROJECT: target.project,
    PROJECT_PATH: target.config.path,
    WORKSPACE_ROOT: target.workspace.root,
    NODE: process.execPath,
  };
  if (target.section.port !== undefined) vars.PORT = String(target.section.port);
  if (target.migrationsPath !== undefined) vars.MIGRATIONS_PATH = target.migrationsPath;
  Object.assign(vars, extra);
  // The environment's own variables may use the standard ones, never the other way round.
  const own = Object.fromEntries(Object.entries(target.section.env).map(([k, v]) => [k, interpolate(v, vars)]));
  return { ...vars, ...own };
}

/**
 * The whole environment of a project command: the invoking shell's base and passthrough names,
 * then the command variables and the project file's `env:` (which win). Run with nothing else.
 */
export function commandEnvironment(target: VariableSource, version: string, extra: Record<string, string> = {}): Record<string, string> {
  return { ...inheritedVariables(target.config), ...commandVariables(target, version, extra) };
}
