import { statSync } from 'node:fs';
import { withFileStatuses } from '../engine/file-marks.js';
import path from 'node:path';
import { loadWorkspaceQueue } from '../engine/load-workspace-queue.js';
import { queueConflicts, type QueueConflict } from '../engine/queue-conflicts.js';
import { tasksFromElsewhere } from '../engine/tasks-from-elsewhere.js';
import { environmentStates, type EnvironmentState } from '../records/environment-state.js';
import type { DecisionRecord } from '../records/decision-record.js';
import type { DeploymentRecord } from '../records/deployment-record.js';
import { planWaves, type Plan } from '../queue/plan-waves.js';
import type { TaskSpec } from '../queue/task-spec.js';
import type { TaskStatus } from '../queue/schema.js';
import { taskTotals, type TaskTotals } from '../state/iteration-metrics.js';
import type { IterationWithMetrics, Store, TaskRow } from '../state/store.js';
import { listQueueFiles, targetArgs } from '../workspace/find-workspace.js';
import { queueFilePath, resolveWorkspace } from '../workspace/paths.js';

// The last queue read of each project, kept while its file is unchanged (size and mtime): a
// 10,000-task queue takes a second to validate, and pages ask for it again and again.
const queues = new Map<string, { stamp: string; loaded: ReturnType<typeof loadWorkspaceQueue>; plan?: Plan }>();

/** The workspace's queue of a project, validated as the engine does, read again only when its file changed. */
export function readQueue(root: string, project: string): ReturnType<typeof loadWorkspaceQueue> & { plan: () => Plan } {
  const file = queueFilePath(resolveWorkspace(root), project);
  const key = `${root}\u0000${project}`;
  let stamp = '';
  try {
    const st = statSync(file);
    stamp = `${st.size}:${st.mtimeMs}`;
  } catch {
    // missing: loadWorkspaceQueue says so
  }
  let entry = queues.get(key);
  if (!entry || entry.stamp !== stamp || stamp === '') {
    entry = { stamp, loaded: loadWorkspaceQueue(root, project) };
    queues.set(key, entry);
  }
  const e = entry;
  return { ...e.loaded, plan: () => (e.plan ??= planWaves(e.loaded.queue.tasks)) };
}

/** The projects of the workspace: one a queue file in tasks/. */
export function listProjects(root: string): string[] {
  const tasksDir = resolveWorkspace(root).tasksDir;
  return listQueueFiles(root)
    .filter((f) => path.resolve(path.dirname(f)) === tasksDir)
    .map((f) => /^work_queue_(.+)\.json$/.exec(path.basename(f))?.[1])
    .filter((p): p is string => p !== undefined)
    .sort();
}

export interface TaskLine {
  spec: TaskSpec;
  status: TaskStatus;
  row: TaskRow | undefined;
  totals: TaskTotals | undefined;
}

export interface ProjectView {
  project: string;
  file: string;
  tasks: Map<string, TaskLine>;
  plan: Plan;
  /** Tasks in the store's queue that this machine's file does not have (added on another machine), as `status` lists them. */
  elsewhere: TaskLine[];
  /** Machines' queue files that disagree on a task's definition, as `status` names them. */
  conflicts: QueueConflict[];
}

/** A task's status as `status` says it: the store's, unless a person edited the queue file since. */
export function effectiveStatus(row: TaskRow | undefined, inFile: TaskStatus): TaskStatus {
  const edited = row && row.file_status !== null && row.file_status !== inFile && inFile !== row.status;
  return (row && !edited ? row.status : inFile) as TaskStatus;
}

/** The queue with each task's status and figures, grouped into waves as `plan` would. */
export async function readProject(root: string, store: Store, project: string): Promise<ProjectView> {
  const { queue, plan, defaults, ws } = readQueue(root, project);
  // file_status as THIS machine last wrote or read its own queue file.
  const rows = await withFileStatuses(store, project, queue.file, await store.tasks(project));
  const totals = await taskTotals(store, project, (id) => rows.get(id)?.base_iteration ?? 0);
  const tasks = new Map<string, TaskLine>();
  for (const spec of queue.tasks) {
    const row = rows.get(spec.id);
    tasks.set(spec.id, { spec, row, status: effectiveStatus(row, queue.fileStatus.get(spec.id) ?? 'pending'), totals: totals.get(spec.id) });
  }
  const elsewhere = (await tasksFromElsewhere(store, project, queue, defaults)).map((spec) => {
    const row = rows.get(spec.id);
    return { spec, row, status: (row?.status ?? 'pending') as TaskStatus, totals: totals.get(spec.id) };
  });
  const conflicts = await queueConflicts(store, project, `autonomous-loop push ${targetArgs(ws.root, project)}`);
  // Every task in a wave, finished ones too: the page shows the whole queue in its order.
  return { project, file: queue.displayFile, tasks, plan: plan(), elsewhere, conflicts };
}

export interface TaskView {
  line: TaskLine;
  iterations: IterationWithMetrics[];
  decisions: DecisionRecord[];
}

export async function readTask(root: string, store: Store, project: string, taskId: string): Promise<TaskView | undefined> {
  const { queue } = readQueue(root, project);
  const spec = queue.tasks.find((t) => t.id === taskId);
  if (!spec) return undefined;
  const stored = await store.task(project, taskId);
  const row = stored ? (await withFileStatuses(store, project, queue.file, new Map([[taskId, stored]]))).get(taskId) : undefined;
  const totals = (await taskTotals(store, project, () => row?.base_iteration ?? 0)).get(taskId);
  const iterations = await store.iterationsWithMetrics(project, taskId);
  const decisions = (await store.taskDecisions(project, taskId)).map((d) => JSON.parse(d.record) as DecisionRecord);
  return { line: { spec, row, totals, status: effectiveStatus(row, queue.fileStatus.get(taskId) ?? 'pending') }, iterations, decisions };
}

export async function readDecisions(store: Store, project?: string): Promise<DecisionRecord[]> {
  return (await store.decisions(project)).map((d) => JSON.parse(d.record) as DecisionRecord).reverse();
}

export interface EnvironmentsView {
  states: EnvironmentState[];
  deployments: DeploymentRecord[];
}

export async function readEnvironments(store: Store, project: string): Promise<EnvironmentsView> {
  const deployments = (await store.deployments(project)).map((r) => JSON.parse(r.record) as DeploymentRecord).reverse();
  return { states: await environmentStates(store, project), deployments };
}
