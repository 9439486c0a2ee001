import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { InputError, formatProblems } from '../errors.js';
import { ENVIRONMENTS, normalizeEnvironmentKeys, type Environment } from '../workspace/environment.js';
import { parseYamlText } from '../workspace/parse-yaml-text.js';
import { projectConfigPath, type Workspace } from '../workspace/paths.js';
import { KNOWN_VARIABLES, listReferences } from './deploy/command-variables.js';
import {
  COMMAND_NAMES,
  ProjectFileSchema,
  type CommandName,
  type EnvironmentSectionInput,
  type HealthCheckInput,
  type ProjectFile,
} from './deploy/project-config-schema.js';

export type { CommandName } from './deploy/project-config-schema.js';

export interface HealthCheckConfig {
  /** An HTTP GET, or (when absent) `command`. `${NAME}` references are replaced at run time. */
  url?: string;
  command?: string[];
  expectedStatus: number;
  bodyContains?: string;
  timeoutMs: number;
  /** Attempts after the first. */
  retries: number;
  /** Wait before the first retry; doubled for each next one. */
  backoffMs: number;
}

export interface EnvironmentConfig {
  environment: Environment;
  port?: number;
  /** Extra environment variables of every command (values may hold `${NAME}` references). */
  env: Record<string, string>;
  commands: Partial<Record<CommandName, string[]>>;
  timeoutsMs: Record<CommandName, number>;
  healthCheck?: HealthCheckConfig;
}

export interface ProjectConfig {
  project: string;
  /** Absolute path of the yaml file. */
  file: string;
  /** The file as messages show it (relative to the workspace). */
  displayFile: string;
  /** The project's folder (absolute): commands run there. */
  path: string;
  git: { repo: string; tagReleases: boolean; push: boolean; remote: string | null };
  /** Where provisioning documents are committed: the repository (absolute) and the folder in it (may hold `${PROJECT}`). */
  infrastructure?: { repo: string; path: string };
  /** Variables of the invoking shell the commands get; a volatile one counts in an approval by presence only. */
  envPassthrough: { name: string; volatile: boolean }[];
  environments: Partial<Record<Environment, EnvironmentConfig>>;
}

const DEFAULT_TIMEOUT_SECONDS: Record<CommandName, number> = {
  test: 600,
  build: 600,
  deploy: 300,
  migrate_up: 300,
  migrate_down: 300,
  migrate_status: 60,
  rollback: 300,
  stop: 60,
  provision_plan: 1800,
  provision_show: 300,
  provision_apply: 3600,
  provision_cost: 300,
};

const HEALTH_DEFAULTS = { expectedStatus: 200, timeoutSeconds: 5, retries: 5, backoffSeconds: 1 };

/** Reads and checks governance/projects/<project>.yaml; relative paths are taken from the workspace root. */
export function loadProjectConfig(ws: Workspace, project: string): ProjectConfig {
  const file = projectConfigPath(ws, project);
  const displayFile = path.relative(ws.root, file) || file;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file (it says where the project lives and how to deploy it)' : `cannot read it (${code ?? String(e)})`;
    throw new InputError(`${displayFile}: ${why}`);
  }
  return parseProjectConfig(text, { file, displayFile, project, root: ws.root });
}

export function parseProjectConfig(text: string, where: { file: string; displayFile: string; project: string; root: string }): ProjectConfig {
  const { displayFile } = where;
  const raw = (parseYamlText(text, displayFile) ?? {}) as Record<string, unknown>;
  const aliasProblems: string[] = [];
  if (raw && typeof raw === 'object' && 'environments' in raw) raw.environments = normalizeEnvironmentKeys(raw.environments, 'environments', aliasProblems);
  if (aliasProblems.length > 0) throw new InputError(formatProblems(`${displayFile}: not a valid project file`, aliasProblems), aliasProblems);
  const parsed = ProjectFileSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${formatKeyPath(i.path)}: ${i.message}`);
    throw new InputError(formatProblems(`${displayFile}: not a valid project file`, problems), problems);
  }
  const input = parsed.data;
  const problems: string[] = [];
  const environments: Partial<Record<Environment, EnvironmentConfig>> = {};
  for (const environment of ENVIRONMENTS) {
    const section = input.environments[environment];
    if (section) environments[environment] = mergeEnvironment(environment, section, input.defaults, problems);
  }
  if (input.git?.push && !input.git.remote) problems.push('git.remote: expected the remote the tasks\' branches are pushed to (a name like origin, or a URL) when git.push is true');
  const projectPath = path.resolve(where.root, input.path);
  if (!existsSync(projectPath)) problems.push(`path: '${input.path}' does not exist (resolved to ${projectPath})`);
  if (problems.length > 0) throw new InputError(formatProblems(`${displayFile}: not a valid project file`, problems), problems);
  return {
    project: where.project,
    file: where.file,
    displayFile,
    path: projectPath,
    git: { repo: path.resolve(where.root, input.git?.repo ?? input.path), tagReleases: input.git?.tag_releases ?? false, push: input.git?.push ?? false, remote: input.git?.remote ?? null },
    ...(input.infrastructure ? { infrastructure: { repo: path.resolve(where.root, input.infrastructure.repo), path: input.infrastructure.path ?? 'docs/${PROJECT}' } } : {}),
    envPassthrough: (input.env_passthrough ?? []).map((e) => (typeof e === 'string' ? { name: e, volatile: false } : { name: e.name, volatile: e.volatile ?? false })),
    environments,
  };
}

/** The environment's section, or an InputError naming the missing key. */
export function environmentConfig(config: ProjectConfig, environment: Environment, why: string): EnvironmentConfig {
  const section = config.environments[environment];
  if (!section) throw new InputError(`${config.displayFile}: environments.${environment}: missing (${why})`);
  return section;
}

/** The command's argv, or an InputError naming the missing key. */
export function requireCommand(config: ProjectConfig, section: EnvironmentConfig, name: CommandName, why: string): string[] {
  const argv = section.commands[name];
  if (!argv) throw new InputError(`${config.displayFile}: environments.${section.environment}.commands.${name}: missing (${why})`);
  return argv;
}

function mergeEnvironment(
  environment: Environment,
  section: EnvironmentSectionInput,
  defaults: ProjectFile['defaults'],
  problems: string[],
): EnvironmentConfig {
  const at = `environments.${environment}`;
  const env = { ...defaults?.env, ...section.env };
  const commands = { ...defaults?.commands, ...section.commands };
  const timeouts = { ...defaults?.timeouts, ...section.timeouts };
  const timeoutsMs = Object.fromEntries(
    COMMAND_NAMES.map((name) => [name, (timeouts[name] ?? DEFAULT_TIMEOUT_SECONDS[name]) * 1000]),
  ) as Record<CommandName, number>;

  for (const [key, value] of Object.entries(env)) checkReferences(value, KNOWN_VARIABLES, `${at}.env.${key}`, problems);
  const visible = new Set([...KNOWN_VARIABLES, ...Object.keys(env)]);
  for (const [name, argv] of Object.entries(commands)) {
    argv?.forEach((arg, i) => checkReferences(arg, visible, `${at}.commands.${name}[${i}]`, problems));
  }
  const healthCheck = mergeHealthCheck(defaults?.health_check, section.health_check, `${at}.health_check`, visible, problems);
  const merged: EnvironmentConfig = { environment, env, commands, timeoutsMs };
  if (section.port !== undefined) merged.port = section.port;
  if (healthCheck) merged.healthCheck = healthCheck;
  return merged;
}

function mergeHealthCheck(
  base: HealthCheckInput | undefined,
  own: HealthCheckInput | undefined,
  at: string,
  visible: ReadonlySet<string>,
  problems: string[],
): HealthCheckConfig | undefined {
  if (!base && !own) return undefined;
  // An environment that names its own url or command replaces the default's probe entirely.
  const probe =
    own && (own.url !== undefined || own.command !== undefined)
      ? { url: own.url, command: own.command }
      : { url: base?.url, command: base?.command };
  const h = { ...base, ...own, ...probe };
  if ((h.url === undefined) === (h.command === undefined)) {
    problems.push(`${at}: expected either url or command (exactly one)`);
    return undefined;
  }
  const config: HealthCheckConfig = {
    expectedStatus: h.expected_status ?? HEALTH_DEFAULTS.expectedStatus,
    timeoutMs: (h.timeout_seconds ?? HEALTH_DEFAULTS.timeoutSeconds) * 1000,
    retries: h.retries ?? HEALTH_DEFAULTS.retries,
    backoffMs: (h.backoff_seconds ?? HEALTH_DEFAULTS.backoffSeconds) * 1000,
  };
  if (h.url !== undefined) {
    checkReferences(h.url, visible, `${at}.url`, problems);
    if (!/^https?:\/\//.test(h.url)) problems.push(`${at}.url: expected an http:// or https:// URL, got '${h.url}'`);
    config.url = h.url;
  }
  if (h.command !== undefined) {
    h.command.forEach((arg, i) => checkReferences(arg, visible, `${at}.command[${i}]`, problems));
    config.command = h.command;
  }
  if (h.body_contains !== undefined) {
    checkReferences(h.body_contains, visible, `${at}.body_contains`, problems);
    config.bodyContains = h.body_contains;
  }
  return config;
}

function checkReferences(text: string, visible: ReadonlySet<string>, at: string, problems: string[]): void {
  for (const name of listReferences(text)) {
    if (!visible.has(name)) {
      problems.push(`${at}: unknown variable \${${name}} (known: ${[...visible].join(', ')})`);
    }
  }
}

function formatKeyPath(keys: readonly PropertyKey[]): string {
  if (keys.length === 0) return '(top)';
  return keys.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), '');
}
