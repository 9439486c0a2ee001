import type { Queue } from '../queue/load-queue.js';
import type { TaskSpec } from '../queue/task-spec.js';
import type { Contract } from './contract.js';

/**
 * dev → staging → production, enforced: a production deployment of version V needs a staging
 * deployment of V — a staging task of V among the tasks it depends on (directly or not), or a
 * successful staging deployment of V on record. The contract may exempt a project
 * (`cascade.skip_staging_for`); then the run says so. Returns the problems, each `path: message`.
 */
export function checkCascade(queue: Queue, contract: Contract, project: string, stagedVersions: ReadonlySet<string>): string[] {
  if (!contract.cascade.require_staging || contract.cascade.skip_staging_for.includes(project)) return [];
  const byId = new Map(queue.tasks.map((t) => [t.id, t]));
  const problems: string[] = [];
  for (const task of queue.tasks) {
    if (task.agentType !== 'deployment' || task.environment !== 'production' || !task.version) continue;
    if ((queue.fileStatus.get(task.id) ?? 'pending') === 'complete') continue;
    if (stagedVersions.has(task.version) || dependsOnStaging(task, task.version, byId)) continue;
    problems.push(
      `${queue.tasksKey}[${task.index}] (${task.id}): production deployment of ${task.version} without staging it first: ` +
        `add a staging deployment of ${task.version} to its depends_on (no successful staging deployment of ${task.version} is on record), ` +
        `or exempt project '${project}' with cascade.skip_staging_for in ${contract.file}`,
    );
  }
  return problems;
}

function dependsOnStaging(task: TaskSpec, version: string, byId: ReadonlyMap<string, TaskSpec>): boolean {
  const seen = new Set<string>();
  const stack = [...task.dependsOn];
  while (stack.length > 0) {
    const id = stack.pop() ?? '';
    if (seen.has(id)) continue;
    seen.add(id);
    const dep = byId.get(id);
    if (!dep) continue;
    if (dep.agentType === 'deployment' && dep.environment === 'staging' && dep.version === version) return true;
    stack.push(...dep.dependsOn);
  }
  return false;
}
