import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { agentPolicy, type Contract } from '../gates/contract.js';
import type { ApprovalSubject } from '../gates/approval-gate.js';
import type { TaskSpec } from '../queue/task-spec.js';
import type { Store } from '../state/store.js';
import { projectConfigPath, resolveInside, type Workspace } from '../workspace/paths.js';

const MAX_MIGRATION_FILES = 10_000;

/**
 * Everything a task would run, as an approval is given for it: the agent, environment and version,
 * the command argv, the project file's commands for the environment, the sha-256 of every file in
 * the migrations folder, and the project's git commit. A change of any of it asks again.
 */
export async function describeApprovalSubject(ws: Workspace, project: string, task: TaskSpec, contract: Contract, store: Store): Promise<ApprovalSubject> {
  const config = task.environment ? await loadConfigQuietly(ws, project) : undefined;
  const section = config && task.environment ? config.environments[task.environment] : undefined;
  let migrations: Record<string, string> | null = null;
  if (task.migrationsPath !== undefined && config) {
    let dir: string | undefined;
    try {
      dir = resolveInside(config.path, task.migrationsPath, 'migrations_path');
    } catch {
      dir = undefined;
    }
    migrations = dir ? hashFolder(dir) : null;
  }
  const commit = config ? await readCommit(config.git.repo) : null;
  return {
    agent: task.agentType,
    environment: task.environment ?? null,
    version: task.version ?? null,
    command: task.command ?? agentPolicy(contract, task.agentType).command ?? null,
    project_commands: section ? { commands: section.commands, env: section.env, health_check: section.healthCheck ?? null } : null,
    migrations,
    commit,
    ...(await interruptedSteps(store, project, task.id)),
  };
}

// Steps of the task's current attempt that a crash cut off and that were not redone since.
async function interruptedSteps(store: Store, project: string, taskId: string): Promise<{ interrupted_steps?: string[] }> {
  const row = await store.task(project, taskId);
  const cut = (await store.interruptedSteps(project, taskId, row?.base_iteration ?? 0)).map((s) => `${s.name} (iteration ${s.iteration})`);
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

async function readCommit(repo: string): Promise<string | null> {
  if (!existsSync(path.join(repo, '.git')) && !existsSync(path.join(repo, 'HEAD'))) return null;
  const { readHeadCommit } = await import('../agents/deploy/git-release.js');
  return readHeadCommit(repo);
}

/** sha-256 of each file under dir (relative path -> hex), in a stable order. */
function hashFolder(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    let names: string[];
    try {
      names = readdirSync(path.join(dir, rel)).sort();
    } catch {
      return;
    }
    for (const name of names) {
      if (Object.keys(out).length >= MAX_MIGRATION_FILES) return;
      const relPath = rel ? `${rel}/${name}` : name;
      const full = path.join(dir, relPath);
      let stat;
      try {
        stat = statSync(full);
      } catch {
        continue;
      }
      if (stat.isDirectory()) {
        if (name !== 'node_modules' && name !== '__pycache__' && !name.startsWith('.')) walk(relPath);
      } else if (stat.isFile()) {
        out[relPath] = createHash('sha256').update(readFileSync(full)).digest('hex');
      }
    }
  };
  walk('');
  return out;
}
