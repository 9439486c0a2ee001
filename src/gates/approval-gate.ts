import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { TaskSpec } from '../queue/task-spec.js';
import type { StateStore } from '../state/state-store.js';
import type { Environment } from '../workspace/environment.js';
import type { Contract } from './contract.js';
import { hashOf, type DecisionRecord } from './record-decision.js';

export interface GateNeed {
  /** Why a person must decide; empty when the task may run by itself. */
  reasons: string[];
  production: boolean;
  /** The hash of what the person is shown: environment, version, migrations. */
  fingerprint: string;
}

/** Whether a task needs a person before it runs, by the contract, the history and the task. */
export function evaluateGate(
  task: TaskSpec,
  contract: Contract,
  successfulDeployments: (environment: Environment) => number,
  migrationsDir?: string,
): GateNeed {
  const reasons: string[] = [];
  // A review changes nothing: environment gates are for agents that do.
  const env = task.agentType === 'readiness' ? undefined : task.environment;
  if (env) {
    const policy = contract.environments[env];
    if (env === 'production') reasons.push('production always needs a person');
    else if (policy.approval === 'always') reasons.push(`${env}: the contract asks for approval every time`);
    else if (policy.approval === 'first-time' && successfulDeployments(env) === 0) reasons.push(`${env}: first deployment to ${env}`);
    else if (!policy.auto_deploy) reasons.push(`${env}: the contract does not deploy here without a person`);
  }
  if (task.approvalReasons) reasons.push(...task.approvalReasons.map((r) => (r === 'requires_approval' ? 'the task requires approval' : r)));
  return { reasons, production: task.environment === 'production' && task.agentType !== 'readiness', fingerprint: gateFingerprint(task, migrationsDir) };
}

/** What an approval is for. A change of any of it after approval asks again. */
export function gateFingerprint(task: TaskSpec, migrationsDir?: string): string {
  return hashOf({
    id: task.id,
    environment: task.environment ?? null,
    version: task.version ?? null,
    run_migrations: task.runMigrations,
    migrations_path: task.migrationsPath ?? null,
    migrations: task.runMigrations && migrationsDir ? listMigrations(migrationsDir) : null,
    agent: task.agentType,
  });
}

function listMigrations(dir: string): string[] {
  try {
    return readdirSync(dir)
      .sort()
      .map((f) => `${f}:${statSync(path.join(dir, f)).size}`);
  } catch {
    return [];
  }
}

/** The latest approve or reject of this task that is still valid for what it would run now. */
export function standingDecision(store: StateStore, project: string, taskId: string, fingerprint: string): DecisionRecord | undefined {
  const rows = store.taskDecisions(project, taskId).filter((r) => (r.decision === 'approve' || r.decision === 'reject') && r.fingerprint === fingerprint);
  const last = rows[rows.length - 1];
  return last ? (JSON.parse(last.record) as DecisionRecord) : undefined;
}
