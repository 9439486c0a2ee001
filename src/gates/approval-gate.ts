import type { TaskSpec } from '../queue/task-spec.js';
import type { Store } from '../state/store.js';
import type { Environment } from '../workspace/environment.js';
import type { Contract } from './contract.js';
import { hashOf, type DecisionRecord } from '../records/decision-record.js';

/** What a task would run, as shown to the person approving it; the fingerprint is its hash. */
export interface ApprovalSubject {
  agent: string;
  environment: string | null;
  version: string | null;
  /** The argv a command agent runs (the task's own, else the contract's). */
  command: string[] | null;
  /** The project file's commands (and their env) for the task's environment. */
  project_commands: unknown;
  /** sha-256 of each file in the migrations folder, by relative path. */
  migrations: Record<string, string> | null;
  commit: string | null;
  /** Steps of this attempt a crash cut off that are not safe to redo: a person must say to redo them. */
  interrupted_steps?: string[];
}

export interface GateNeed {
  /** Why a person must decide; empty when the task may run by itself. */
  reasons: string[];
  production: boolean;
  /** The task itself asks for a person (`requires_approval`): no flag passes it. */
  taskRequires: boolean;
  /** The hash of what the person is shown. */
  fingerprint: string;
}

/** Whether a task needs a person before it runs, by the contract, the history and the task. */
export function evaluateGate(task: TaskSpec, contract: Contract, successfulDeployments: (environment: Environment) => number, subject: ApprovalSubject): GateNeed {
  const reasons: string[] = [];
  // A review changes nothing: environment gates are for agents that do.
  const env = task.agentType === 'readiness' ? undefined : task.environment;
  if (env && task.agentType === 'rollback') {
    // A rollback: production always asks; elsewhere the contract's auto_rollback says (a down
    // migration that drops data asks too: the agent's own reason).
    if (env === 'production') reasons.push('production: a rollback always needs a person');
    else if (!contract.environments[env].auto_rollback) reasons.push(`${env}: the contract does not roll back here without a person (auto_rollback: false)`);
  } else if (env) {
    const policy = contract.environments[env];
    if (env === 'production') reasons.push('production always needs a person');
    else if (policy.approval === 'always') reasons.push(`${env}: the contract asks for approval every time`);
    else if (policy.approval === 'first-time' && successfulDeployments(env) === 0) reasons.push(`${env}: first deployment to ${env}`);
    else if (!policy.auto_deploy) reasons.push(`${env}: the contract does not deploy here without a person`);
  }
  const cut = subject.interrupted_steps ?? [];
  if (cut.length > 0) reasons.push(`cut off by a crash and not safe to redo: ${cut.join(', ')}; check it by hand, then approve to run it again`);
  if (task.approvalReasons) reasons.push(...task.approvalReasons.map((r) => (r === 'requires_approval' ? 'the task requires approval' : r)));
  return {
    reasons,
    production: task.environment === 'production' && task.agentType !== 'readiness',
    taskRequires: task.approvalReasons !== false || cut.length > 0,
    fingerprint: gateFingerprint(task, subject),
  };
}

/** What an approval is for. A change of any of it after approval asks again. */
export function gateFingerprint(task: TaskSpec, subject: ApprovalSubject): string {
  return hashOf({ id: task.id, run_migrations: task.runMigrations, migrations_path: task.migrationsPath ?? null, ...subject });
}

/**
 * The latest approve or reject of this task that still holds for what it would run now. A
 * production approval is used once: one already used by another attempt of the task holds no more.
 */
export async function standingDecision(store: Store, project: string, taskId: string, fingerprint: string, attempt?: number): Promise<DecisionRecord | undefined> {
  const rows = (await store.taskDecisions(project, taskId)).filter((r) => (r.decision === 'approve' || r.decision === 'reject') && r.fingerprint === fingerprint);
  const last = rows[rows.length - 1];
  if (!last) return undefined;
  const record = JSON.parse(last.record) as DecisionRecord;
  if (record.decision === 'approve' && attempt !== undefined && record.environment === 'production') {
    const use = await store.approvalUse(record.id);
    if (use && use.attempt !== attempt) return undefined;
  }
  return record;
}

/** Why the task's last approval does not hold for what it would run now, in words; empty when there is none. */
export async function describeStaleApproval(store: Store, project: string, taskId: string, subject: ApprovalSubject, fingerprint: string, attempt: number): Promise<string[]> {
  const approvals = (await store.taskDecisions(project, taskId)).filter((r) => r.decision === 'approve');
  const last = approvals[approvals.length - 1];
  if (!last) return [];
  const record = JSON.parse(last.record) as DecisionRecord;
  if (last.fingerprint === fingerprint) {
    const use = await store.approvalUse(record.id);
    return use && use.attempt !== attempt ? [`the approval by ${record.by} was used by an earlier attempt (${use.used_at}); a production approval is used once`] : [];
  }
  const before = record.subject as ApprovalSubject | undefined;
  if (!before) return [`changed since ${record.by} approved it`];
  return describeChanges(before, subject).map((c) => `changed since ${record.by} approved it: ${c}`);
}

/** The parts of a subject that differ, one line each. */
export function describeChanges(before: ApprovalSubject, now: ApprovalSubject): string[] {
  const out: string[] = [];
  const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
  const show = (v: unknown): string => (v === null || v === undefined ? 'none' : Array.isArray(v) ? JSON.stringify(v) : String(v));
  for (const key of ['agent', 'environment', 'version', 'commit'] as const) {
    if (!same(before[key], now[key])) out.push(`${key} ${show(before[key])} -> ${show(now[key])}`);
  }
  if (!same(before.command, now.command)) out.push(`command ${show(before.command)} -> ${show(now.command)}`);
  if (!same(before.project_commands, now.project_commands)) out.push(`the project file's commands for ${now.environment ?? 'the environment'}`);
  if (!same(before.migrations, now.migrations)) {
    const a = before.migrations ?? {};
    const b = now.migrations ?? {};
    const names = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    const changed = names.map((n) => (!(n in a) ? `${n} added` : !(n in b) ? `${n} removed` : a[n] !== b[n] ? `${n} changed` : '')).filter(Boolean);
    out.push(`migrations: ${changed.join(', ') || 'folder changed'}`);
  }
  return out.length > 0 ? out : ['what the task runs'];
}

/**
 * Whether `by` may decide this production gate: on the contract's `approvers` (when it lists any),
 * and, with `prevent_self_approval`, not the user who started the run. Undefined when allowed.
 */
export function refuseApprover(contract: Contract, who: { by: string; osUser: string }, startedBy?: { osUser: string | null; by: string | null }): string | undefined {
  if (contract.approvers.length > 0 && !contract.approvers.includes(who.by)) {
    return `approvers: '${who.by}' may not approve production (may: ${contract.approvers.join(', ')})`;
  }
  if (contract.prevent_self_approval && startedBy) {
    const self = (startedBy.osUser !== null && startedBy.osUser === who.osUser) || (startedBy.by !== null && startedBy.by === who.by);
    if (self) return `prevent_self_approval: ${who.by} (os user ${who.osUser}) started the run and may not approve its production gate; another approver must`;
  }
  return undefined;
}
