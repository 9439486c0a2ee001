import { appendDeploymentRecords } from '../log/deployments-file.js';
import { redactValue } from '../log/redact-secrets.js';
import type { Store } from '../state/store.js';
import type { Environment } from '../workspace/environment.js';
import type { Workspace } from '../workspace/paths.js';
import { faultPoint } from '../workspace/fault-point.js';
import { appendToProjection } from './check-projection.js';
import { noteBehind, projectionWrite } from './records-behind.js';

/** What a record is of: a deployment (the default, also when absent in older files), a migration run, a rollback. */
export type RecordKind = 'deployment' | 'migration' | 'rollback';

export interface DeploymentRecordInput {
  /** Absent: a deployment. */
  kind?: RecordKind;
  task_id: string;
  environment: Environment;
  version: string;
  /** `interrupted`: the attempt was cut off by a crash at a step that is not safe to redo. */
  status: 'success' | 'failed' | 'rolled_back' | 'rejected' | 'interrupted';
  started_at: string;
  completed_at: string;
  iterations: number;
  migrations_run: string[];
  errors: string[];
  warnings: string[];
  rollback_executed: boolean;
  approved_by: string | null;
  commit: string | null;
}

export interface DeploymentRecord extends DeploymentRecordInput {
  id: string;
  project: string;
}

/**
 * Records a deployment: one commit in state.db holds it with its outcome; then it is projected
 * into deployments.json. A file that cannot be written never fails (or redoes) the deployment: the
 * problem is returned, and the next flush or `repair` writes it.
 */
export async function recordDeployment(store: Store, ws: Workspace, record: DeploymentRecord): Promise<string | undefined> {
  const r = record;
  // The file's key order: id first, as people read it.
  const redacted = redactValue({
    id: r.id,
    kind: r.kind ?? 'deployment',
    task_id: r.task_id,
    project: r.project,
    environment: r.environment,
    version: r.version,
    status: r.status,
    started_at: r.started_at,
    completed_at: r.completed_at,
    iterations: r.iterations,
    migrations_run: r.migrations_run,
    errors: r.errors,
    warnings: r.warnings,
    rollback_executed: r.rollback_executed,
    approved_by: r.approved_by,
    commit: r.commit,
  });
  await store.transaction((tx) => tx.insertDeployment(record.project, record.id, JSON.stringify(redacted, null, 2)));
  faultPoint('record:deployment:stored');
  const problem = await flushDeployments(store, ws);
  noteBehind(problem);
  return problem;
}

/**
 * Versions that went into an environment and answered, newest first: deployments and rollbacks
 * (a rollback brings its version back); a migration run changes no version and is not among them.
 */
export async function successfulDeployments(store: Store, project: string, environment: Environment): Promise<DeploymentRecord[]> {
  return (await store.deployments(project))
    .map((r) => JSON.parse(r.record) as DeploymentRecord)
    .filter((r) => r.environment === environment && r.status === 'success' && recordKind(r) !== 'migration')
    .reverse();
}

/** How many successful deployments to an environment are on record (0 for none given): what a first-time gate asks. */
export async function deploymentCount(store: Store, project: string, environment: Environment | undefined): Promise<number> {
  return environment ? (await successfulDeployments(store, project, environment)).length : 0;
}

export function recordKind(r: { kind?: RecordKind }): RecordKind {
  return r.kind ?? 'deployment';
}

/** Appends to deployments.json what the state store holds and the file does not; one writer at a time. */
export function flushDeployments(store: Store, ws: Workspace): Promise<string | undefined> {
  return projectionWrite(ws.deploymentsFile, ws, 'append the deployment record', () =>
    appendToProjection(store, ws.deploymentsFile, 'deployments', appendDeploymentRecords),
  );
}

/** Both projections brought up to date; the problems, one line each. */
export async function flushRecords(store: Store, ws: Workspace, flushDecisions: (store: Store, ws: Workspace) => Promise<string | undefined>): Promise<string[]> {
  return [await flushDeployments(store, ws), await flushDecisions(store, ws)].filter((p): p is string => p !== undefined);
}
