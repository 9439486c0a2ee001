import { existsSync } from 'node:fs';
import { agentPolicy, type Contract } from '../gates/contract.js';
import type { ApprovalSubject } from '../gates/approval-gate.js';
import type { TaskSpec } from '../queue/task-spec.js';
import type { Store } from '../state/store.js';
import { projectConfigPath, queueFilePath, resolveInside, type Workspace } from '../workspace/paths.js';
import { listQueueFiles } from '../workspace/find-workspace.js';
import { readPlanBinding } from '../agents/provision/plan-binding.js';

// Filled in when the command runs, not before: left as written in what an approval holds.
const RUNTIME_ONLY = ['MIGRATE_TARGET', 'MIGRATE_STEPS', 'ROLLBACK_FROM'];

/**
 * Everything a task would run, as an approval is given for it (DESIGN, "The approval subject"):
 * the agent, environment and version, the command argv, the project folder (real path, content
 * of the working copy, commit), the project file's commands and health check with every `${VAR}`
 * filled in, the environment the commands get (values hashed, never kept), and the sha-256 of every
 * migration. A change of any of it asks again. Throws FingerprintError when something cannot be
 * read: no approval can hold for what cannot be fingerprinted.
 */
export async function describeApprovalSubject(ws: Workspace, project: string, task: TaskSpec, contract: Contract, store: Store, depth: 'full' | 'light' = 'full'): Promise<ApprovalSubject> {
  if (depth === 'light') return { ...baseSubject(task, contract), project: null, project_commands: null, env: null, migrations: null, commit: null, ...(await interruptedSteps(store, project, task.id)), ...provisioningBinding(ws, project, task) };
  const config = task.environment ? await loadConfigQuietly(ws, project) : undefined;
  const section = config && task.environment ? config.environments[task.environment] : undefined;
  const { fingerprintFolder, hashFiles } = await import('../agents/deploy/fingerprint-folder.js');
  let migrations: Record<string, string> | null = null;
  let migrationsDir: string | undefined;
  if (task.migrationsPath !== undefined && config) {
    try {
      migrationsDir = resolveInside(config.path, task.migrationsPath, 'migrations_path');
    } catch {
      migrationsDir = undefined;
    }
    migrations = migrationsDir && existsSync(migrationsDir) ? hashFiles(migrationsDir, undefined, (name) => name === '__pycache__') : null;
  }
  // The loop's own files are not what runs: a run and a decision change them (statuses, state, records).
  const folder = config ? await fingerprintFolder(config.path, [ws.aibrainDir, queueFilePath(ws, project), ...listQueueFiles(ws.root)]) : null;
  let resolved: Pick<ApprovalSubject, 'project_commands' | 'env'> = { project_commands: null, env: null };
  if (config && section && task.environment) {
    const { commandEnvironment } = await import('../agents/deploy/deploy-target.js');
    const { fingerprintEnvironment } = await import('../agents/deploy/command-environment.js');
    const { interpolate } = await import('../agents/deploy/command-variables.js');
    const source = { project, environment: task.environment, workspace: ws, config, section, ...(migrationsDir ? { migrationsPath: migrationsDir } : {}) };
    const env = commandEnvironment(source, task.version ?? '', Object.fromEntries(RUNTIME_ONLY.map((n) => [n, `\${${n}}`])));
    const fill = (text: string): string => interpolate(text, env);
    const health = section.healthCheck;
    resolved = {
      project_commands: {
        commands: Object.fromEntries(Object.entries(section.commands).map(([name, argv]) => [name, argv.map(fill)])),
        health_check: health
          ? {
              ...(health.url !== undefined ? { url: fill(health.url) } : {}),
              ...(health.command !== undefined ? { command: health.command.map(fill) } : {}),
              ...(health.bodyContains !== undefined ? { body_contains: fill(health.bodyContains) } : {}),
              expected_status: health.expectedStatus,
            }
          : null,
        timeouts_ms: section.timeoutsMs,
      },
      env: fingerprintEnvironment(env, config),
    };
  }
  return {
    ...baseSubject(task, contract),
    project: folder,
    ...resolved,
    migrations,
    commit: folder?.commit ?? null,
    ...(await interruptedSteps(store, project, task.id)),
    ...provisioningBinding(ws, project, task),
  };
}

// A provisioning approval is bound to the kept plan file and the business case.
function provisioningBinding(ws: Workspace, project: string, task: TaskSpec): Pick<ApprovalSubject, 'provisioning'> {
  return task.agentType === 'provisioning' ? { provisioning: readPlanBinding(ws, project, task) } : {};
}

function baseSubject(task: TaskSpec, contract: Contract): Pick<ApprovalSubject, 'agent' | 'environment' | 'version' | 'command'> {
  return {
    agent: task.agentType,
    environment: task.environment ?? null,
    version: task.version ?? null,
    command: task.command ?? agentPolicy(contract, task.agentType).command ?? null,
  };
}

// Steps of the task's current attempt that a crash cut off and that were not redone since.
async function interruptedSteps(store: Store, project: string, taskId: string): Promise<{ interrupted_steps?: string[] }> {
  const cut = (await store.interruptedSteps(project, taskId)).map((s) => `${s.name} (iteration ${s.iteration})`);
  return cut.length > 0 ? { interrupted_steps: cut } : {};
}

// The project file is checked elsewhere (bad input stops the run before a gate); here a file that
// is missing or wrong means "no project commands to show", never a crash at the gate.
async function loadConfigQuietly(ws: Workspace, project: string) {
  if (!existsSync(projectConfigPath(ws, project))) return undefined;
  const { loadProjectConfig } = await import('../agents/project-config.js');
  try {
    return loadProjectConfig(ws, project);
  } catch {
    return undefined;
  }
}
