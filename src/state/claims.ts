// Runners and task claims (issue 23): the part of the store several runners of one project share.

/** A runner as it announces itself. */
export interface RunnerInfo {
  runnerId: string;
  project: string;
  host: string;
  pid: number;
  labels: readonly string[];
  /** The host's boot (null where the system does not say): with host and pid, tells a dead runner. */
  bootId?: string | null;
}

/** A runner as `status` shows it: alive while its lease runs. */
export interface RunnerRow {
  runner_id: string;
  project: string;
  host: string;
  pid: number;
  labels: string[];
  started_at: string;
  heartbeat_at: string;
  alive: boolean;
  stopped: boolean;
  boot_id: string | null;
}

/** A claim a runner holds: the task and the fencing token its writes carry. */
export interface TaskClaim {
  taskId: string;
  token: number;
}

/** A claim just taken; `tookOverFrom` names the runner whose lease ran out. */
export interface ClaimedTask extends TaskClaim {
  tookOverFrom: string | null;
  /** The task as the claim read it, its row locked: what another runner (or an earlier run) left of it. */
  row: ClaimedTaskRow;
  /** Whether an iteration of it is still marked running (its runner was cut off): read them then. */
  cutOff: boolean;
  /**
   * Whether steps of its current attempt are marked interrupted (a crash cut them off). Only the
   * claim's holder marks a step so: false stays true of the store until this claim marks one.
   */
  interrupted: boolean;
}

// What a claim reads of whether a candidate has steps of its current attempt marked interrupted.
export const INTERRUPTED_STEPS = `EXISTS (SELECT 1 FROM steps s WHERE s.project = t.project AND s.task_id = t.task_id AND s.state = 'interrupted'
      AND s.iteration > COALESCE(t.base_iteration, 0)) AS interrupted`;

/** The row's fields a claim hands on (a store's row has more). */
export function claimedRow(r: ClaimedTaskRow): ClaimedTaskRow {
  return { status: r.status, iterations: Number(r.iterations), base_iteration: Number(r.base_iteration), last_error: r.last_error, reason: r.reason };
}

export interface ClaimedTaskRow {
  status: string;
  iterations: number;
  base_iteration: number;
  last_error: string | null;
  reason: string | null;
}

export interface ClaimRow {
  task_id: string;
  runner_id: string;
  token: number;
  claimed_at: string;
  expires_at: string;
  /** Held: not released and the lease not run out. */
  live: boolean;
}

/** Task statuses a claim may be taken on. */
export const CLAIMABLE_STATUSES: readonly string[] = ['pending', 'in_progress', 'awaiting_approval'];

/**
 * Runners and their claims. A claim is a lease: the runner renews it with its heartbeat; once it
 * runs out another runner may take the task over, with a larger token. A write checked against
 * an older token is refused (`holdsClaim` false).
 */
export interface RunnerClaims {
  /** Whether several runners of one project may share this store (their tasks claimed, not locked). */
  readonly sharedByRunners: boolean;
  registerRunner(runner: RunnerInfo, leaseMs: number): Promise<void>;
  /** The heartbeat: the runner's lease and those of its claims renewed; the claims it still holds. */
  renewLease(runnerId: string, leaseMs: number): Promise<TaskClaim[]>;
  /**
   * Claims the first of `candidates` (in order) whose task is still claimable and which no other
   * runner holds (a claim whose lease ran out is taken over); undefined when none.
   */
  claimTask(project: string, runnerId: string, candidates: readonly string[], leaseMs: number): Promise<ClaimedTask | undefined>;
  /** Inside a transaction: whether the runner still holds the claim with this token (and keeps it until the commit). */
  holdsClaim(project: string, taskId: string, runnerId: string, token: number): Promise<boolean>;
  /**
   * Inside a transaction: the claim with this token is held (and kept until the commit), or the
   * transaction fails with ClaimLostError, at this call or at the latest at its commit.
   */
  assertClaim(project: string, taskId: string, runnerId: string, token: number): Promise<void>;
  releaseClaim(project: string, taskId: string, runnerId: string, token: number): Promise<void>;
  /** The runner has ended: its claims released, its row kept as stopped. */
  stopRunner(runnerId: string): Promise<void>;
  /**
   * The runner is known dead (its process gone from this host): stopped, and its claims' leases run
   * out now, not released — the next runner that asks takes its tasks over under the crash rules.
   */
  expireRunner(runnerId: string): Promise<void>;
  /** The project's runners, alive first, then the most recently stopped (at most 20 of those). */
  runners(project: string): Promise<RunnerRow[]>;
  claims(project: string): Promise<ClaimRow[]>;
  /**
   * Tasks cut off: claimed by another runner that stopped renewing its lease (never released, the
   * lease run out) and still to run (pending or in progress) — to be resumed by a live runner.
   */
  cutOffClaims(project: string, exceptRunnerId: string): Promise<CutOffClaim[]>;
}

/** A write's claim is no longer held (another runner took the task over): the transaction wrote nothing. */
export class ClaimLostError extends Error {
  constructor() {
    super('the claim this write carries is no longer held');
    this.name = 'ClaimLostError';
  }
}

/** A claim whose lease ran out while its runner held it. */
export interface CutOffClaim {
  task_id: string;
  runner_id: string;
}
