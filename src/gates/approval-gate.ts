import type { TaskSpec } from '../queue/task-spec.js';
import type { Store } from '../state/store.js';
import type { Environment } from '../workspace/environment.js';
import type { Contract } from './contract.js';
import { hashOf, type DecisionRecord } from '../records/decision-record.js';
import { approverNames, findApprover } from './approvers.js';

/** What a task would run, as shown to the person approving it; the fingerprint is its hash. */
export interface ApprovalSubject {
  agent: string;
  environment: string | null;
  version: string | null;
  /** The argv a command agent runs (the task's own, else the contract's). */
  command: string[] | null;
  /** The folder the project's commands run in: real path, content of the working copy, commit. */
  project?: { path: string; content: string; commit: string | null } | null;
  /** The project file's commands and health check for the task's environment, every `${VAR}` filled in. */
  project_commands: unknown;
  /** The environment those commands get: each name with a hash of its value (or `present`). */
  env?: Record<string, string> | null;
  /** sha-256 of each file in the migrations folder, by relative path. */
  migrations: Record<string, string> | null;
  commit: string | null;
  /** Steps of this attempt a crash cut off that are not safe to redo: a person must say to redo them. */
  interrupted_steps?: string[];
  /** A provisioning task: the plan file, business case and cost figures the approval is bound to. */
  provisioning?: PlanBinding | null;
}

/**
 * What a provisioning approval is bound to: the plan file (its name and sha-256 as on disk), the
 * business case (with the safety exceptions), and the cost figures shown.
 */
export interface PlanBinding {
  plan_file: string;
  plan_sha256: string | null;
  business_case_sha256: string;
  cost: { estimate_monthly_usd: number | null; tool_monthly_usd: number | null };
}

export interface GateNeed {
  /** Why a person must decide; empty when the task may run by itself. */
  reasons: string[];
  production: boolean;
  /** The task itself asks for a person (`requires_approval`, provisioning): no flag passes it. */
  taskRequires: boolean;
  /** The approval is used once, by one attempt, and only the contract's approvers give it (production, provisioning). */
  singleUse: boolean;
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
  const provisioning = task.agentType === 'provisioning';
  if (provisioning) reasons.push(`provisioning: a person approves every plan, in every environment, every time (${subject.provisioning ? `plan ${subject.provisioning.plan_file}` : 'no plan made yet'})`);
  const production = task.environment === 'production' && task.agentType !== 'readiness';
  let fingerprint: string | undefined;
  return {
    reasons,
    production,
    taskRequires: task.approvalReasons !== false || cut.length > 0 || provisioning,
    singleUse: production || provisioning,
    // Hashed when asked for: most tasks need nobody, and their subject is never shown.
    get fingerprint() {
      return (fingerprint ??= gateFingerprint(task, subject));
    },
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
  if (record.decision === 'approve' && attempt !== undefined && (record.environment === 'production' || (record.subject as ApprovalSubject | undefined)?.agent === 'provisioning')) {
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
    return use && use.attempt !== attempt ? [`the approval by ${record.by} was used by an earlier attempt (${use.used_at}); a production or provisioning approval is used once`] : [];
  }
  const before = record.subject as ApprovalSubject | undefined;
  if (!before) return [`changed since ${record.by} approved it`];
  return describeChanges(before, subject).map((c) => `changed since ${record.by} approved it: ${c}`);
}

/** The parts of a subject that differ, one line each. */
export function describeChanges(before: ApprovalSubject, now: ApprovalSubject): string[] {
  const out: string[] = [];
  const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
  const show = (v: unknown): string => (v === null || v === undefined ? 'none' : Array.isArray(v) ? JSON.stringify(v) : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const short = (c: string | null | undefined): string => (c ? c.slice(0, 12) : 'none');
  for (const key of ['agent', 'environment', 'version'] as const) {
    if (!same(before[key], now[key])) out.push(`${key} ${show(before[key])} -> ${show(now[key])}`);
  }
  if (!same(before.command, now.command)) out.push(`command ${show(before.command)} -> ${show(now.command)}`);
  const [a, b] = [before.project ?? null, now.project ?? null];
  if (a?.path !== b?.path) out.push(`the project folder ${a?.path ?? 'none'} -> ${b?.path ?? 'none'}`);
  if (!same(before.commit, now.commit)) out.push(`commit ${short(before.commit)} -> ${short(now.commit)}`);
  else if (a?.path === b?.path && a?.content !== b?.content) out.push("the project's files (uncommitted or untracked changes)");
  out.push(...describeCommandChanges(before.project_commands, now.project_commands, now.environment));
  out.push(...describeMapChanges('environment', before.env ?? {}, now.env ?? {}));
  if (!same(before.provisioning ?? null, now.provisioning ?? null)) out.push(...describeBindingChange(before.provisioning, now.provisioning));
  if (!same(before.migrations, now.migrations)) {
    const changed = describeMapChanges('', before.migrations ?? {}, now.migrations ?? {}).map((c) => c.trim());
    out.push(`migrations: ${changed.slice(0, 10).join(', ') || 'folder changed'}${changed.length > 10 ? `, … (${changed.length} in all)` : ''}`);
  }
  return out.length > 0 ? out : ['what the task runs'];
}

/** What changed between two plan bindings, in words. */
export function describeBindingChange(before: PlanBinding | null | undefined, now: PlanBinding | null | undefined): string[] {
  const out: string[] = [];
  const short = (s: string | null | undefined): string => (s ? s.slice(0, 12) : 'none');
  if (before?.plan_file !== now?.plan_file || before?.plan_sha256 !== now?.plan_sha256) {
    out.push(`the plan: ${before?.plan_file ?? 'none'} (sha256 ${short(before?.plan_sha256)}) -> ${now?.plan_file ?? 'none'} (sha256 ${short(now?.plan_sha256)})`);
  }
  if (before?.business_case_sha256 !== now?.business_case_sha256) out.push('the business case (or its safety exceptions)');
  if (JSON.stringify(before?.cost ?? null) !== JSON.stringify(now?.cost ?? null)) out.push(`the cost figures ${JSON.stringify(before?.cost ?? null)} -> ${JSON.stringify(now?.cost ?? null)}`);
  return out;
}

interface ShownCommands {
  commands?: Record<string, unknown>;
  health_check?: { url?: string; command?: string[] } | null;
}

function describeCommandChanges(before: unknown, now: unknown, environment: string | null): string[] {
  if (JSON.stringify(before) === JSON.stringify(now)) return [];
  const a = (before ?? {}) as ShownCommands;
  const b = (now ?? {}) as ShownCommands;
  const out: string[] = [];
  const names = [...new Set([...Object.keys(a.commands ?? {}), ...Object.keys(b.commands ?? {})])].sort();
  for (const name of names) {
    const [x, y] = [a.commands?.[name], b.commands?.[name]];
    if (JSON.stringify(x) !== JSON.stringify(y)) out.push(`the project file's ${name} command for ${environment ?? 'the environment'}: ${JSON.stringify(x ?? null)} -> ${JSON.stringify(y ?? null)}`);
  }
  const [h, k] = [a.health_check ?? null, b.health_check ?? null];
  if (JSON.stringify(h) !== JSON.stringify(k)) {
    const probe = (c: typeof h): string => (c?.url ?? (c?.command ? JSON.stringify(c.command) : 'none'));
    out.push(probe(h) !== probe(k) ? `health check ${probe(h)} -> ${probe(k)}` : 'the health check');
  }
  return out.length > 0 ? out : [`the project file's commands for ${environment ?? 'the environment'}`];
}

// Names added, removed or changed between two name -> hash maps.
function describeMapChanges(what: string, a: Record<string, string>, b: Record<string, string>): string[] {
  const names = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return names
    .map((n) => (!(n in a) ? `${what} ${n} added` : !(n in b) ? `${what} ${n} removed` : a[n] !== b[n] ? `${what} ${n} changed` : ''))
    .filter(Boolean);
}

/**
 * Whether `by` may decide this production gate: on the contract's `approvers` (when it lists any),
 * and, with `prevent_self_approval`, not the user who started the run (by name, by OS user, or by
 * an OS user the approver's entry lists). Undefined when allowed.
 */
export function refuseApprover(contract: Contract, who: { by: string; osUser: string }, startedBy?: { osUser: string | null; by: string | null }): string | undefined {
  if (contract.approvers.length > 0 && !findApprover(contract, who.by)) {
    return `approvers: '${who.by}' may not approve production (may: ${approverNames(contract).join(', ')})`;
  }
  if (contract.prevent_self_approval && startedBy && isSelf(contract, who, startedBy.osUser, startedBy.by)) {
    return `prevent_self_approval: ${who.by} (os user ${who.osUser}) started the run and may not approve its production gate; another approver must`;
  }
  return undefined;
}

function isSelf(contract: Contract, who: { by: string; osUser: string }, starterOs: string | null, starterBy: string | null): boolean {
  if (starterOs !== null && (starterOs === who.osUser || (findApprover(contract, who.by)?.osUsers.includes(starterOs) ?? false))) return true;
  return starterBy !== null && starterBy === who.by;
}

/**
 * Why an approval given earlier may not be used by the run starting now, or undefined: its approver
 * is no longer on the contract's list (checked at use, never hashed), or, with prevent_self_approval,
 * the approver is who starts this run (approving before the run counts too).
 */
export function refuseApprovalUse(contract: Contract, approval: Pick<DecisionRecord, 'by' | 'os_user'>, starter: { osUser: string; by: string | null }): string | undefined {
  if (contract.approvers.length > 0 && !findApprover(contract, approval.by)) {
    return `${approval.by} is no longer on the contract's approvers (${approverNames(contract).join(', ')}): the approval does not hold; one of them must approve`;
  }
  if (contract.prevent_self_approval && isSelf(contract, { by: approval.by, osUser: approval.os_user }, starter.osUser, starter.by)) {
    return `prevent_self_approval: approved by ${approval.by} (os user ${approval.os_user}), who starts this run (os user ${starter.osUser}); another approver must approve`;
  }
  return undefined;
}
