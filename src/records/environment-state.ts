import type { Store } from '../state/store.js';
import { ENVIRONMENTS, type Environment } from '../workspace/environment.js';
import { recordKind, type DeploymentRecord } from './deployment-record.js';
import { describeRollbackMark } from './rollback-marker.js';

export interface EnvironmentState {
  environment: Environment;
  /** healthy: the last attempt succeeded, or was rolled back to a version that answers;
   * FAILED: the last attempt failed and nothing was rolled back (that version may be what answers);
   * DEGRADED: a rollback failed; UNKNOWN: the last attempt was cut off by a crash. */
  state: 'healthy' | 'FAILED' | 'DEGRADED' | 'UNKNOWN';
  /** The version answering there now, as far as the record tells (from the last attempt, not the last success). */
  version: string | null;
  /** The last version that deployed successfully there. */
  last_good: string | null;
  last_attempt: { version: string; status: DeploymentRecord['status']; at: string; task_id: string } | null;
  reason: string | null;
}

/** Each environment's state from the deployment records and the health the state store keeps. */
export async function environmentStates(store: Store, project: string): Promise<EnvironmentState[]> {
  // A migration run changes the schema, not the version running: the versions come from deployments and rollbacks.
  const records = (await store.deployments(project)).map((r) => JSON.parse(r.record) as DeploymentRecord).filter((r) => recordKind(r) !== 'migration');
  const health = new Map((await store.environmentHealth(project)).map((h) => [h.environment, h]));
  const out: EnvironmentState[] = [];
  for (const environment of ENVIRONMENTS) {
    const here = records.filter((r) => r.environment === environment);
    const degraded = health.get(environment);
    if (here.length === 0 && !degraded) continue;
    const last = here.at(-1);
    const good = here.filter((r) => r.status === 'success').at(-1);
    let state: EnvironmentState['state'] = 'healthy';
    let version = last?.version ?? null;
    let reason: string | null = null;
    if (last?.status === 'failed' && !last.rollback_executed) {
      state = 'FAILED';
      reason = last.errors[0] ?? 'the deployment failed';
    } else if (last?.status === 'failed' || last?.status === 'rolled_back') {
      version = good?.version ?? null;
      reason = `${last.version} ${last.status === 'rolled_back' ? 'rolled back' : 'failed'}: ${last.errors[0] ?? ''}`.trim();
    } else if (last?.status === 'interrupted') {
      state = 'UNKNOWN';
      reason = last.errors[0] ?? 'cut off by a crash';
    } else if (last?.status === 'rejected') {
      version = good?.version ?? null;
    }
    if (degraded) {
      // A rollback under way, or cut off, leaves the version unknown; a failed one, degraded.
      const rollback = describeRollbackMark(degraded.reason);
      state = rollback ? 'UNKNOWN' : 'DEGRADED';
      reason = rollback ?? degraded.reason;
    }
    out.push({
      environment,
      state,
      version,
      last_good: good?.version ?? null,
      last_attempt: last ? { version: last.version, status: last.status, at: last.completed_at, task_id: last.task_id } : null,
      reason,
    });
  }
  return out;
}
