import type { Store } from '../state/store.js';
import type { Environment } from '../workspace/environment.js';
import type { Workspace } from '../workspace/paths.js';
import { recordDeployment } from './deployment-record.js';

// A rollback under way is marked in the state store (as the environment's health) before it changes
// anything and unmarked when it ends. A mark whose run is gone (SIGKILL, a power cut) is a rollback
// cut off: it becomes an `interrupted` rollback record, and the environment's state is unknown
// until a person (or a probe) says what answers there.

const IN_PROGRESS = 'rollback in progress ';
const CUT_OFF = 'rollback cut off ';

export interface RollbackMark {
  run_id: string;
  task_id: string;
  from: string;
  to: string;
  started_at: string;
  pid: number;
}

export async function markRollbackStarted(store: Store, project: string, environment: Environment, mark: RollbackMark): Promise<void> {
  await store.setEnvironmentHealth(project, environment, `${IN_PROGRESS}${JSON.stringify(mark)}`);
}

/** The rollback ended: unmarked, or the environment degraded with why (a failed rollback). */
export async function markRollbackEnded(store: Store, project: string, environment: Environment, failure: string | null): Promise<void> {
  await store.setEnvironmentHealth(project, environment, failure);
}

/** What a health row says of a rollback: under way, cut off, or nothing. */
export function readRollbackMark(reason: string): { state: 'in progress' | 'cut off'; mark: RollbackMark } | undefined {
  const state = reason.startsWith(IN_PROGRESS) ? 'in progress' : reason.startsWith(CUT_OFF) ? 'cut off' : undefined;
  if (!state) return undefined;
  try {
    return { state, mark: JSON.parse(reason.slice(state === 'in progress' ? IN_PROGRESS.length : CUT_OFF.length)) as RollbackMark };
  } catch {
    return undefined;
  }
}

/** In words, for status and the gate. */
export function describeRollbackMark(reason: string): string | undefined {
  const read = readRollbackMark(reason);
  if (!read) return undefined;
  const { mark } = read;
  return read.state === 'in progress'
    ? `a rollback from ${mark.from} to ${mark.to} is under way (${mark.task_id}, pid ${mark.pid}, since ${mark.started_at})`
    : `a rollback from ${mark.from} to ${mark.to} was cut off (${mark.task_id}, started ${mark.started_at}): which version answers is not known from the record`;
}

/**
 * Rollbacks marked under way whose run is no longer alive: each gets its `interrupted` rollback
 * record (once: the id comes from the run) and the mark says "cut off". Returns the environments settled.
 */
export async function settleCutOffRollbacks(store: Store, ws: Workspace, project: string, isRunning: (runId: string, pid: number) => boolean): Promise<Environment[]> {
  const settled: Environment[] = [];
  for (const row of await store.environmentHealth(project)) {
    const read = readRollbackMark(row.reason);
    if (!read || read.state !== 'in progress' || isRunning(read.mark.run_id, read.mark.pid)) continue;
    const environment = row.environment as Environment;
    const { mark } = read;
    const now = new Date().toISOString();
    await recordDeployment(store, ws, {
      id: `rb-${mark.run_id}-interrupted`,
      project,
      kind: 'rollback',
      task_id: mark.task_id,
      environment,
      version: mark.to,
      status: 'interrupted',
      started_at: mark.started_at,
      completed_at: now,
      iterations: 1,
      migrations_run: [],
      errors: [`rollback from ${mark.from} to ${mark.to} was cut off (its process ${mark.pid} is gone): which version answers is not known`],
      warnings: [],
      rollback_executed: true,
      approved_by: null,
      commit: null,
    });
    await store.setEnvironmentHealth(project, environment, `${CUT_OFF}${JSON.stringify(mark)}`);
    settled.push(environment);
  }
  return settled;
}
