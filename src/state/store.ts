import { createHash } from 'node:crypto';
import type { RunnerClaims } from './claims.js';
import type { QueueRevisions } from './queue-revision.js';

export interface TaskRow {
  task_id: string;
  status: string;
  file_status: string | null;
  iterations: number;
  base_iteration: number;
  last_error: string | null;
  reason: string | null;
  updated_at: string;
}

export interface IterationRow {
  id: number;
  task_id: string;
  n: number;
  run_id: string;
  state: 'running' | 'done' | 'interrupted';
  started_at: string;
  ended_at: string | null;
  verdict: string | null;
  promise_met: number | null;
  error: string | null;
  output_tail: string | null;
}

export interface LockHolder {
  pid: number;
  host: string;
  since: string;
  run_id: string;
  boot_id?: string | null;
  start_time?: string | null;
}

export interface StoredRecord {
  seq: number;
  id: string;
  record: string;
}

/** How far one record file has been written: the highest record seq appended to it, and what the file looked like just after. */
export interface ProjectionMark {
  seq: number;
  stamp: string | null;
}

export interface IterationMetricsRow {
  iteration_id: number;
  project: string;
  task_id: string;
  n: number;
  run_id: string;
  cost_usd: number | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cached_tokens: number | null;
  turns: number | null;
  duration_ms: number;
  retries: number;
  session_id: string | null;
  model: string | null;
  checkpoint: string | null;
  checkpoint_branch: string | null;
  log_file: string | null;
  stop_reason: string | null;
}

/** An iteration joined with its figures: what `history --iterations` and `logs` read. */
export type IterationWithMetrics = IterationMetricsRow & { state: string; verdict: string | null; promise_met: number | null; error: string | null; output_tail: string | null; started_at: string; ended_at: string | null };

/** The figures of one iteration that a task's totals sum. */
export type IterationFigures = Pick<IterationMetricsRow, 'task_id' | 'n' | 'cost_usd' | 'input_tokens' | 'output_tokens' | 'turns' | 'duration_ms'>;

export type StoredDecision = StoredRecord & { decision: string; fingerprint: string | null };
export type IterationEnd = { state: 'done' | 'interrupted'; verdict: string | null; promiseMet: boolean; error: string | null; outputTail: string | null };
export type LockResult = { ok: true; tookOverFrom?: LockHolder } | { ok: false; holder: LockHolder };
export type RecordTable = 'deployments' | 'decisions';
export type ChainedRecord = { seq: number; id: string; record: string; chain: string | null };
export type GateSubjectRow = { fingerprint: string; subject: string; computed_at: string };
/**
 * What one process tells the others of a project through the store: a person's decision on a
 * task (`approve`, `reject`, `override` from any machine), or `resync` (a listener that lost its
 * connection and is back: anything may have changed meanwhile).
 */
export type StoreSignal = { project: string; kind: 'decision' | 'resync'; task_id: string | null };
/** A listener's trouble (the connection lost, listening again in N s), or null once it listens again. */
export type ListenTrouble = (message: string | null) => void;
/** One stored chunk of a task's output (`logs TASK --follow`). */
export type OutputChunk = { seq: number; iteration: number; run_id: string; chunk: string; at: string };
/** A console token (`token create --for NAME`): its sha-256, never the token. */
export type ConsoleTokenRow = { id: string; person: string; hash: string; created_at: string; last_used_at: string | null; revoked_at: string | null };

/** One link of a record table's hash chain: sha-256 of the previous link, the id and the record. */
export function chainHash(prev: string, id: string, record: string): string {
  return createHash('sha256').update(`${prev}\n${id}\n${record}`).digest('hex');
}

/** A LIKE pattern's literal prefix: `%`, `_` and the escape itself taken as text (ESCAPE '\\'). */
export function likePrefix(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * The project's state: committed here before anything else is told. One interface, one
 * implementation a backend (SQLite today); callers never ask which one they have.
 */
export interface Store extends RunnerClaims, QueueRevisions {
  /** False once closed. */
  readonly open: boolean;
  close(): Promise<void>;
  /**
   * Runs fn in one write transaction, with `tx` the store inside it: nothing else of this process
   * interleaves, and other processes wait. Use `tx` (not the outer store) inside fn; a
   * transaction inside fn (`tx.transaction`) is nested and rolls back alone. A run's store on a
   * shared database runs fn again when the connection was lost before the commit (the server
   * rolled it back): what fn does outside the store must be safe to repeat.
   */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;

  // The project lock: one loop per project. A holder that is gone is replaced: on this host, a
  // dead pid, a pid from an earlier boot, or a pid now held by a later process.
  acquireLock(project: string, runId: string, isAlive: (pid: number) => boolean): Promise<LockResult>;
  /** `unlock --force`: the lock removed whoever holds it; the holder it had, if any. */
  forceUnlock(project: string): Promise<LockHolder | undefined>;
  releaseLock(project: string, runId: string): Promise<void>;
  lockHolder(project: string): Promise<LockHolder | undefined>;

  startRun(project: string, runId: string, osUser?: string | null): Promise<void>;
  endRun(runId: string, exitCode: number): Promise<void>;
  /** Who started the project's latest run (the OS user), for `prevent_self_approval`. */
  lastRunStarter(project: string): Promise<{ run_id: string; os_user: string | null } | undefined>;
  /** The attempt a production approval was used by, if it was. */
  approvalUse(decisionId: string): Promise<{ attempt: number; run_id: string; used_at: string } | undefined>;
  /** Marks an approval used by this attempt of its task (a first use sticks). */
  useApproval(project: string, taskId: string, decisionId: string, attempt: number, runId: string): Promise<void>;

  tasks(project: string): Promise<Map<string, TaskRow>>;
  task(project: string, taskId: string): Promise<TaskRow | undefined>;
  /** The tasks saved at or after `since` (an ISO time): what a live page is told, without reading every row. */
  tasksUpdatedSince(project: string, since: string): Promise<TaskRow[]>;
  saveTask(project: string, row: Omit<TaskRow, 'updated_at'>): Promise<void>;
  setFileStatus(project: string, taskId: string, fileStatus: string): Promise<void>;

  beginIteration(project: string, taskId: string, n: number, runId: string): Promise<number>;
  endIteration(id: number, r: IterationEnd): Promise<void>;
  iterations(project: string, taskId: string): Promise<IterationRow[]>;
  runningIterations(project: string): Promise<IterationRow[]>;
  saveIterationMetrics(row: IterationMetricsRow): Promise<void>;
  /** The task's iterations from `fromN` on (a person's reset starts a new attempt), with their figures. */
  iterationsWithMetrics(project: string, taskId: string, fromN?: number): Promise<IterationWithMetrics[]>;
  /** Every iteration's figures of a project (summed per task by `taskTotals`). */
  iterationFigures(project: string): Promise<IterationFigures[]>;
  /** What one run has spent so far, in USD. */
  runCost(runId: string): Promise<number>;

  latestDoneStep(project: string, taskId: string, name: string): Promise<{ result: string | null } | undefined>;
  step(project: string, taskId: string, iteration: number, name: string): Promise<{ state: string; result: string | null; runs: number } | undefined>;
  beginStep(project: string, taskId: string, iteration: number, name: string): Promise<void>;
  endStep(project: string, taskId: string, iteration: number, name: string, result: string): Promise<void>;
  /** A step cut off by a crash and not redone: kept on record as such. */
  interruptStep(project: string, taskId: string, iteration: number, name: string): Promise<void>;
  /** Steps of the task's current attempt (after its base iteration) a crash cut off and that were not redone. */
  interruptedSteps(project: string, taskId: string): Promise<{ iteration: number; name: string }[]>;

  addEvent(project: string, runId: string | null, taskId: string | null, type: string, data?: unknown): Promise<void>;

  insertDeployment(project: string, id: string, record: string): Promise<void>;
  deployments(project?: string): Promise<StoredRecord[]>;
  /** A decision; `signature` (JSON of the signed payload, signature and key) where it was signed. */
  insertDecision(project: string, id: string, taskId: string | null, decision: string, fingerprint: string | null, record: string, signature?: string | null): Promise<void>;
  /** The signature column of every decision row, in order: what `history --verify` checks against each record. */
  decisionSignatures(): Promise<{ seq: number; id: string; signature: string | null }[]>;
  decisions(project?: string): Promise<StoredRecord[]>;
  taskDecisions(project: string, taskId: string): Promise<StoredDecision[]>;
  /** A provisioning record (issue 25), once per id; `.aibrain/provisioning.json` is its projection. */
  insertProvisioning(project: string, id: string, taskId: string, record: string): Promise<void>;
  /** Provisioning records, oldest first (of one project, or all). */
  provisioning(project?: string): Promise<StoredRecord[]>;
  /** The ids of a record table with their seq, in order. */
  recordIds(table: RecordTable): Promise<{ id: string; seq: number }[]>;
  /** The records of a table after a seq, in order: what a file marked at that seq does not hold yet. */
  recordsAfter(table: RecordTable, seq: number): Promise<StoredRecord[]>;
  /**
   * The key of a record file's mark: its name where the store sits beside it (SQLite), the host and
   * absolute path where the store is shared by machines, each with files of its own (PostgreSQL).
   */
  projectionKey(file: string): string;
  projectionMark(key: string): Promise<ProjectionMark | undefined>;
  /** Sets a file's mark (null: forgets it). */
  setProjectionMark(key: string, mark: ProjectionMark | null): Promise<void>;
  /** Rows in a record table now, and rows ever inserted there (a delete does not lower it). */
  recordCount(table: RecordTable): Promise<{ rows: number; inserted: number }>;
  /** Every row of a record table with its chain link, in order: what `history --verify` recomputes. */
  chainedRecords(table: RecordTable): Promise<ChainedRecord[]>;
  /** `repair` after lost rows came back: the chain computed again over every row, the count set to the rows there. */
  rechain(table: RecordTable): Promise<void>;
  /** What the task's gate showed when it last opened (fingerprint and subject JSON): what `approve` signs. */
  saveGateSubject(project: string, taskId: string, fingerprint: string, subject: string): Promise<void>;
  gateSubject(project: string, taskId: string): Promise<GateSubjectRow | undefined>;
  /** Console tokens (migration 011): kept hashed; revoked ones stay listed. */
  saveConsoleToken(row: Pick<ConsoleTokenRow, 'id' | 'person' | 'hash' | 'created_at'>): Promise<void>;
  consoleTokens(): Promise<ConsoleTokenRow[]>;
  /** The unrevoked token with this hash, stamped as used now. */
  useConsoleToken(hash: string): Promise<ConsoleTokenRow | undefined>;
  /** Revokes the tokens whose id starts with `idPrefix` (unrevoked ones); how many. */
  revokeConsoleToken(idPrefix: string): Promise<number>;

  addProcess(project: string, runId: string, pid: number, startTime: string | null): Promise<void>;
  removeProcess(project: string, pid: number): Promise<void>;
  processes(project: string): Promise<{ pid: number; start_time: string | null; run_id: string }[]>;

  /**
   * A run's store rides out a lost connection (PostgreSQL): what cannot have run twice (taking a
   * connection, a read) is tried again with backoff for up to a minute, said through onTrouble (and
   * null once it is back); a write under way when the connection broke still fails (exit 5, the run
   * resumes later). Without this call nothing is retried (a command fails at once). SQLite: nothing to do.
   */
  watchConnection(onTrouble: ListenTrouble): void;
  /**
   * Tells every listener of the project (other processes, other machines) that something changed.
   * PostgreSQL: NOTIFY, delivered when the transaction it is part of commits; SQLite: a row the
   * listeners of this file read.
   */
  signal(s: StoreSignal): Promise<void>;
  /**
   * Calls onSignal for each signal of the project from now on (PostgreSQL: LISTEN on a connection
   * of its own, no polling; a lost connection is retried with backoff, said through onTrouble, and
   * followed by a `resync` signal). Resolves once listening; the function it gives stops it.
   */
  listen(project: string, onSignal: (s: StoreSignal) => void, onTrouble?: ListenTrouble): Promise<() => Promise<void>>;

  /** A chunk of a task's iteration output (the caller bounds what one iteration stores). */
  appendOutput(project: string, taskId: string, iteration: number, runId: string, chunk: string): Promise<void>;
  /** The task's stored output after `afterSeq`, oldest first, at most `limit` chunks. */
  output(project: string, taskId: string, afterSeq: number, limit?: number): Promise<OutputChunk[]>;
  /** Keeps the output of the task's last `keepIterations` iterations only. */
  pruneOutput(project: string, taskId: string, keepIterations: number): Promise<void>;

  setEnvironmentHealth(project: string, environment: string, reason: string | null): Promise<void>;
  environmentHealth(project: string): Promise<{ environment: string; state: string; reason: string; since: string }[]>;
}
