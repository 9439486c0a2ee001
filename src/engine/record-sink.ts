import { createHash } from 'node:crypto';
import type { DeploymentRecordInput, RecordSink } from '../agents/agent.js';
import { appendDeploymentRecords } from '../log/deployments-file.js';
import { redactValue } from '../log/redact-secrets.js';
import type { StateStore } from '../state/state-store.js';
import type { Environment } from '../workspace/environment.js';
import type { Workspace } from '../workspace/paths.js';
import { faultPoint } from '../workspace/fault-point.js';

export interface DeploymentRecord extends DeploymentRecordInput {
  id: string;
  project: string;
}

/**
 * Deployment records: SQLite first, then `.aibrain/deployments.json`. The id is derived from the
 * task, iteration and attempt, so a step redone after a crash does not record twice.
 */
export function createRecordSink(
  store: StateStore,
  ws: Workspace,
  project: string,
  taskId: string,
  iteration: number,
  approvedBy: () => string | null,
): RecordSink {
  let attempt = 0;
  return {
    recordDeployment(input) {
      attempt++;
      const id = `dep-${createHash('sha256').update(`${project}\0${taskId}\0${iteration}\0${attempt}\0${input.environment}\0${input.version}`).digest('hex').slice(0, 16)}`;
      const record: DeploymentRecord = redactValue({
        id,
        task_id: input.task_id,
        project,
        environment: input.environment,
        version: input.version,
        status: input.status,
        started_at: input.started_at,
        completed_at: input.completed_at,
        iterations: input.iterations,
        migrations_run: input.migrations_run,
        errors: input.errors,
        warnings: input.warnings,
        rollback_executed: input.rollback_executed,
        approved_by: input.approved_by ?? approvedBy(),
        commit: input.commit,
      });
      store.insertDeployment(project, id, JSON.stringify(record, null, 2));
      faultPoint('record:deployment:stored');
      flushDeployments(store, ws);
    },
    deploymentHistory(environment: Environment) {
      return successfulDeployments(store, project, environment);
    },
  };
}

export function successfulDeployments(store: StateStore, project: string, environment: Environment): DeploymentRecord[] {
  return store
    .deployments(project)
    .map((r) => JSON.parse(r.record) as DeploymentRecord)
    .filter((r) => r.environment === environment && r.status === 'success')
    .reverse();
}

/** Appends to deployments.json what the state store holds and the file does not; one writer at a time. */
export function flushDeployments(store: StateStore, ws: Workspace): void {
  store.transaction(() => {
    const pending = store.unwrittenDeployments();
    if (pending.length === 0) return;
    appendDeploymentRecords(ws.deploymentsFile, pending.map((r) => ({ id: r.id, json: r.record })));
    store.markDeploymentsWritten(pending.map((r) => r.id));
  });
}
