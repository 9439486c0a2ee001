import { createHash } from 'node:crypto';
import type { RecordSink } from '../agents/agent.js';
import { recordDeployment, successfulDeployments } from '../records/deployment-record.js';
import { recordProvisioning } from '../records/provisioning-record.js';
import { markRollbackEnded, markRollbackStarted } from '../records/rollback-marker.js';
import type { Store } from '../state/store.js';
import type { Environment } from '../workspace/environment.js';
import type { Workspace } from '../workspace/paths.js';
import type { EngineContext } from './engine-context.js';


/**
 * The agents' way onto the record. The id is derived from the task, iteration and attempt, so a
 * step redone after a crash does not record twice. A record file that cannot be written is said
 * (onBehind), never a failure of the deployment.
 */
export function createRecordSink(
  store: Store,
  ws: Workspace,
  project: string,
  taskId: string,
  iteration: number,
  approvedBy: () => string | null,
  onBehind: (problem: string) => void = () => {},
  runId: string = taskId,
): RecordSink {
  let attempt = 0;
  return {
    async recordDeployment(input) {
      attempt++;
      const id = `dep-${createHash('sha256').update(`${project}\0${taskId}\0${iteration}\0${attempt}\0${input.environment}\0${input.version}`).digest('hex').slice(0, 16)}`;
      const problem = await recordDeployment(store, ws, { ...input, id, project, approved_by: input.approved_by ?? approvedBy() });
      if (problem) onBehind(problem);
    },
    deploymentHistory(environment: Environment) {
      return successfulDeployments(store, project, environment);
    },
    async recordProvisioning(input) {
      attempt++;
      const id = `prov-${createHash('sha256').update(`${project}\0${taskId}\0${iteration}\0${attempt}\0${input.outcome}\0${input.started_at}`).digest('hex').slice(0, 16)}`;
      const problem = await recordProvisioning(store, ws, { ...input, id, project, approved_by: input.approved_by ?? approvedBy() });
      if (problem) onBehind(problem);
    },
    async rollbackStarted(environment, rollback) {
      await markRollbackStarted(store, project, environment, { ...rollback, run_id: runId, started_at: new Date().toISOString(), pid: process.pid });
    },
    async rollbackEnded(environment, failure) {
      await markRollbackEnded(store, project, environment, failure);
    },
  };
}

/** A record file behind state.db, said on the terminal and in the log (the run goes on). */
export function warnBehind(ctx: Pick<EngineContext, 'log' | 'emitter'>, problem: string): void {
  ctx.log.warn({ records_behind: problem }, 'a record file could not be written');
  ctx.emitter.emit('warning', { message: problem });
}
