import { hostname } from 'node:os';
import { openDatabase } from './open-database.js';
import { bootId, startTimeOf } from './process-identity.js';
import { prepareStatements } from './sqlite-statements.js';
import { StoreGate } from './store-gate.js';
import { listenSqlite, SqliteSignals } from './sqlite-signals.js';
import { isGone, noteOpened } from './store-handles.js';
import { chainHash, likePrefix } from './store.js';
import { ClaimLostError, type ClaimedTask, type ClaimRow, type CutOffClaim, type RunnerInfo, type RunnerRow, type TaskClaim } from './claims.js';
import { sqliteClaims } from './sqlite-claims.js';
import { sqliteQueue } from './sqlite-queue.js';
import type { FileMark, QueueFileId, QueueFileRow, QueuePushResult, StoredFileMark, StoredQueue } from './queue-revision.js';
import { sqliteProjections } from './sqlite-projections.js';
import { sqliteChain } from './sqlite-chain.js';
import type {
  ChainedRecord,
  ConsoleTokenRow,
  GateSubjectRow,
  IterationEnd,
  IterationFigures,
  IterationMetricsRow,
  IterationRow,
  IterationWithMetrics,
  ListenTrouble,
  LockHolder,
  LockResult,
  ProjectionMark,
  RecordTable,
  Store,
  StoredDecision,
  StoredRecord,
  StoreSignal,
  OutputChunk,
  TaskRow,
} from './store.js';
import { SqliteConnection, type TxState } from './sqlite-connection.js';

const now = (): string => new Date().toISOString();

/** The store in SQLite: each method a prepared statement or a few, on SqliteConnection's handle. */
export class SqliteStore extends SqliteConnection implements Store {
  static openFile(file: string): SqliteStore {
    const db = openDatabase(file);
    const store = new SqliteStore(db, prepareStatements(db), new StoreGate(), new SqliteSignals(db));
    noteOpened();
    return store;
  }

  protected inTransaction(state: TxState): this {
    return new SqliteStore(this.db, this.stmts, this.gate, this.signals, state) as this;
  }

  // One machine's store: a second runner of a project is refused by the project lock (below).
  readonly sharedByRunners = false;

  registerRunner(runner: RunnerInfo, leaseMs: number): Promise<void> {
    return this.do(() => sqliteClaims.register(this.db, runner, leaseMs));
  }

  renewLease(runnerId: string, leaseMs: number): Promise<TaskClaim[]> {
    return this.do(() => sqliteClaims.renew(this.db, runnerId, leaseMs));
  }

  claimTask(project: string, runnerId: string, candidates: readonly string[], leaseMs: number): Promise<ClaimedTask | undefined> {
    return this.do(() => sqliteClaims.claim(this.db, project, runnerId, candidates, leaseMs));
  }

  holdsClaim(project: string, taskId: string, runnerId: string, token: number): Promise<boolean> {
    return this.do(() => sqliteClaims.holds(this.db, project, taskId, runnerId, token));
  }

  assertClaim(project: string, taskId: string, runnerId: string, token: number): Promise<void> {
    return this.do(() => {
      if (!sqliteClaims.holds(this.db, project, taskId, runnerId, token)) throw new ClaimLostError();
    });
  }

  releaseClaim(project: string, taskId: string, runnerId: string, token: number): Promise<void> {
    return this.do(() => sqliteClaims.release(this.db, project, taskId, runnerId, token));
  }

  expireRunner(runnerId: string): Promise<void> {
    return this.do(() => sqliteClaims.expire(this.db, runnerId));
  }

  stopRunner(runnerId: string): Promise<void> {
    return this.do(() => sqliteClaims.stop(this.db, runnerId));
  }

  runners(project: string): Promise<RunnerRow[]> {
    return this.do(() => sqliteClaims.runners(this.db, project));
  }

  claims(project: string): Promise<ClaimRow[]> {
    return this.do(() => sqliteClaims.claims(this.db, project));
  }

  cutOffClaims(project: string, exceptRunnerId: string): Promise<CutOffClaim[]> {
    return this.do(() => sqliteClaims.cutOff(this.db, project, exceptRunnerId));
  }

  storedQueue(project: string): Promise<StoredQueue> {
    return this.do(() => sqliteQueue.stored(this.db, project));
  }
  pushQueue(project: string, expected: number, source: string, defs: readonly { task_id: string; definition: string; position: number }[]): Promise<QueuePushResult> {
    return this.do(() => sqliteQueue.push(this.db, project, expected, source, defs));
  }
  saveFileMarks(project: string, file: QueueFileId, marks: readonly FileMark[]): Promise<void> {
    return this.do(() => sqliteQueue.saveMarks(this.db, project, file, marks));
  }
  fileMarks(project: string, fileKey: string): Promise<Map<string, StoredFileMark>> {
    return this.do(() => sqliteQueue.marks(this.db, project, fileKey));
  }
  allFileMarks(project: string): Promise<StoredFileMark[]> {
    return this.do(() => sqliteQueue.allMarks(this.db, project));
  }
  queueFiles(project: string): Promise<QueueFileRow[]> {
    return this.do(() => sqliteQueue.files(this.db, project));
  }
  forgetQueueFile(project: string, fileKey: string): Promise<boolean> {
    return this.do(() => sqliteQueue.forget(this.db, project, fileKey));
  }

  acquireLock(project: string, runId: string, isAlive: (pid: number) => boolean): Promise<LockResult> {
    return this.transaction(async () => {
      const holder = this.stmts.getLock.get(project) as LockHolder | undefined;
      const host = hostname();
      if (holder && !(holder.host === host && isGone(holder, isAlive))) return { ok: false as const, holder };
      this.stmts.putLock.run({ project, pid: process.pid, host, since: now(), run_id: runId, boot_id: bootId(), start_time: startTimeOf(process.pid) });
      return holder ? { ok: true as const, tookOverFrom: holder } : { ok: true as const };
    });
  }

  forceUnlock(project: string): Promise<LockHolder | undefined> {
    return this.transaction(async () => {
      const holder = this.stmts.getLock.get(project) as LockHolder | undefined;
      if (holder) this.stmts.forceUnlock.run(project);
      return holder;
    });
  }

  releaseLock(project: string, runId: string): Promise<void> {
    return this.do(() => void this.stmts.deleteLock.run(project, runId));
  }

  lockHolder(project: string): Promise<LockHolder | undefined> {
    return this.do(() => this.stmts.getLock.get(project) as LockHolder | undefined);
  }

  startRun(project: string, runId: string, osUser: string | null = null): Promise<void> {
    return this.do(() => void this.stmts.startRun.run({ run_id: runId, project, pid: process.pid, host: hostname(), started_at: now(), os_user: osUser }));
  }

  endRun(runId: string, exitCode: number): Promise<void> {
    return this.do(() => void this.stmts.endRun.run({ run_id: runId, ended_at: now(), exit_code: exitCode }));
  }

  lastRunStarter(project: string): Promise<{ run_id: string; os_user: string | null } | undefined> {
    return this.do(() => this.stmts.lastRunStarter.get(project) as { run_id: string; os_user: string | null } | undefined);
  }

  approvalUse(decisionId: string): Promise<{ attempt: number; run_id: string; used_at: string } | undefined> {
    return this.do(() => this.stmts.approvalUse.get(decisionId) as { attempt: number; run_id: string; used_at: string } | undefined);
  }

  useApproval(project: string, taskId: string, decisionId: string, attempt: number, runId: string): Promise<void> {
    return this.do(() => void this.stmts.useApproval.run({ decision_id: decisionId, project, task_id: taskId, attempt, run_id: runId, used_at: now() }));
  }

  tasksUpdatedSince(project: string, since: string): Promise<TaskRow[]> {
    return this.do(() => this.stmts.tasksUpdatedSince.all(project, since) as TaskRow[]);
  }

  tasks(project: string): Promise<Map<string, TaskRow>> {
    return this.do(() => new Map((this.stmts.tasks.all(project) as TaskRow[]).map((r) => [r.task_id, r])));
  }

  task(project: string, taskId: string): Promise<TaskRow | undefined> {
    return this.do(() => this.stmts.task.get(project, taskId) as TaskRow | undefined);
  }

  saveTask(project: string, row: Omit<TaskRow, 'updated_at'>): Promise<void> {
    return this.do(() => void this.stmts.saveTask.run({ project, ...row, updated_at: now() }));
  }

  setFileStatus(project: string, taskId: string, fileStatus: string): Promise<void> {
    return this.do(() => void this.stmts.setFileStatus.run(fileStatus, project, taskId));
  }

  beginIteration(project: string, taskId: string, n: number, runId: string): Promise<number> {
    return this.do(() => Number(this.stmts.beginIteration.run({ project, task_id: taskId, n, run_id: runId, started_at: now() }).lastInsertRowid));
  }

  endIteration(id: number, r: IterationEnd): Promise<void> {
    return this.do(
      () => void this.stmts.endIteration.run({ id, state: r.state, ended_at: now(), verdict: r.verdict, promise_met: r.promiseMet ? 1 : 0, error: r.error, output_tail: r.outputTail }),
    );
  }

  iterations(project: string, taskId: string): Promise<IterationRow[]> {
    return this.do(() => this.stmts.iterations.all(project, taskId) as IterationRow[]);
  }

  runningIterations(project: string): Promise<IterationRow[]> {
    return this.do(() => this.stmts.runningIterations.all(project) as IterationRow[]);
  }

  saveIterationMetrics(row: IterationMetricsRow): Promise<void> {
    return this.do(() => void this.stmts.saveIterationMetrics.run(row));
  }

  iterationsWithMetrics(project: string, taskId: string, fromN = 1): Promise<IterationWithMetrics[]> {
    return this.do(() => this.stmts.iterationsWithMetrics.all(project, taskId, fromN) as IterationWithMetrics[]);
  }

  iterationFigures(project: string): Promise<IterationFigures[]> {
    return this.do(() => this.stmts.iterationFigures.all(project) as IterationFigures[]);
  }

  runCost(runId: string): Promise<number> {
    return this.do(() => (this.stmts.runCost.get(runId) as { cost: number | null }).cost ?? 0);
  }

  latestDoneStep(project: string, taskId: string, name: string): Promise<{ result: string | null } | undefined> {
    return this.do(() => this.stmts.latestDoneStep.get(project, taskId, name) as { result: string | null } | undefined);
  }

  step(project: string, taskId: string, iteration: number, name: string): Promise<{ state: string; result: string | null; runs: number } | undefined> {
    return this.do(() => this.stmts.getStep.get(project, taskId, iteration, name) as { state: string; result: string | null; runs: number } | undefined);
  }

  beginStep(project: string, taskId: string, iteration: number, name: string): Promise<void> {
    return this.do(() => void this.stmts.beginStep.run({ project, task_id: taskId, iteration, name, started_at: now() }));
  }

  endStep(project: string, taskId: string, iteration: number, name: string, result: string): Promise<void> {
    return this.do(() => void this.stmts.endStep.run({ project, task_id: taskId, iteration, name, result, ended_at: now() }));
  }

  interruptStep(project: string, taskId: string, iteration: number, name: string): Promise<void> {
    return this.do(() => void this.stmts.interruptStep.run(project, taskId, iteration, name));
  }

  interruptedSteps(project: string, taskId: string): Promise<{ iteration: number; name: string }[]> {
    return this.do(() => this.stmts.interruptedSteps.all({ project, task_id: taskId }) as { iteration: number; name: string }[]);
  }

  addEvent(project: string, runId: string | null, taskId: string | null, type: string, data?: unknown): Promise<void> {
    return this.do(() => void this.stmts.addEvent.run({ at: now(), run_id: runId, project, task_id: taskId, type, data: data === undefined ? null : JSON.stringify(data) }));
  }

  insertProvisioning(project: string, id: string, taskId: string, record: string): Promise<void> {
    return this.do(() => void this.stmts.insertProvisioning.run({ id, project, task_id: taskId, record }));
  }

  provisioning(project?: string): Promise<StoredRecord[]> {
    return this.do(() => (project ? this.stmts.provisioningOf.all(project) : this.stmts.allProvisioning.all()) as StoredRecord[]);
  }

  insertDeployment(project: string, id: string, record: string): Promise<void> {
    return this.do(() => void this.stmts.insertDeployment.run({ id, project, record, chain: chainHash(sqliteChain.last(this.db, 'deployments'), id, record) }));
  }

  deployments(project?: string): Promise<StoredRecord[]> {
    return this.do(() => (project ? this.stmts.deploymentsOf.all(project) : this.stmts.allDeployments.all()) as StoredRecord[]);
  }

  insertDecision(project: string, id: string, taskId: string | null, decision: string, fingerprint: string | null, record: string, signature: string | null = null): Promise<void> {
    return this.do(() => void this.stmts.insertDecision.run({ id, project, task_id: taskId, decision, fingerprint, record, signature, chain: chainHash(sqliteChain.last(this.db, 'decisions'), id, record) }));
  }

  decisionSignatures(): Promise<{ seq: number; id: string; signature: string | null }[]> {
    return this.do(() => this.stmts.decisionSignatures.all() as { seq: number; id: string; signature: string | null }[]);
  }

  decisions(project?: string): Promise<StoredRecord[]> {
    return this.do(() => (project ? this.stmts.decisionsOf.all(project) : this.stmts.allDecisions.all()) as StoredRecord[]);
  }

  taskDecisions(project: string, taskId: string): Promise<StoredDecision[]> {
    return this.do(() => this.stmts.taskDecisions.all(project, taskId) as StoredDecision[]);
  }

  recordCount(table: RecordTable): Promise<{ rows: number; inserted: number }> {
    return this.do(() => sqliteChain.count(this.db, table));
  }

  chainedRecords(table: RecordTable): Promise<ChainedRecord[]> {
    return this.do(() => sqliteChain.records(this.db, table));
  }

  rechain(table: RecordTable): Promise<void> {
    return this.do(() => sqliteChain.rechain(this.db, table));
  }

  saveGateSubject(project: string, taskId: string, fingerprint: string, subject: string): Promise<void> {
    return this.do(() => void this.stmts.saveGateSubject.run({ project, task_id: taskId, fingerprint, subject, computed_at: now() }));
  }

  gateSubject(project: string, taskId: string): Promise<GateSubjectRow | undefined> {
    return this.do(() => this.stmts.gateSubject.get(project, taskId) as GateSubjectRow | undefined);
  }
  saveConsoleToken(row: Pick<ConsoleTokenRow, 'id' | 'person' | 'hash' | 'created_at'>): Promise<void> {
    return this.do(() => void this.stmts.saveConsoleToken.run(row));
  }

  consoleTokens(): Promise<ConsoleTokenRow[]> {
    return this.do(() => this.stmts.consoleTokens.all() as ConsoleTokenRow[]);
  }

  useConsoleToken(hash: string): Promise<ConsoleTokenRow | undefined> {
    return this.do(() => this.stmts.useConsoleToken.get(now(), hash) as ConsoleTokenRow | undefined);
  }

  revokeConsoleToken(idPrefix: string): Promise<number> {
    return this.do(() => this.stmts.revokeConsoleToken.run(now(), `${likePrefix(idPrefix)}%`).changes);
  }

  recordIds(table: RecordTable): Promise<{ id: string; seq: number }[]> {
    return this.do(() => sqliteProjections.ids(this.db, table));
  }

  recordsAfter(table: RecordTable, seq: number): Promise<StoredRecord[]> {
    return this.do(() => sqliteProjections.after(this.db, table, seq));
  }

  projectionKey(file: string): string {
    return sqliteProjections.key(file);
  }

  projectionMark(key: string): Promise<ProjectionMark | undefined> {
    return this.do(() => sqliteProjections.mark(this.db, key));
  }

  setProjectionMark(key: string, mark: ProjectionMark | null): Promise<void> {
    return this.do(() => sqliteProjections.setMark(this.db, key, mark));
  }

  addProcess(project: string, runId: string, pid: number, startTime: string | null): Promise<void> {
    return this.do(() => void this.stmts.addProcess.run({ project, run_id: runId, pid, start_time: startTime, started_at: now() }));
  }

  removeProcess(project: string, pid: number): Promise<void> {
    return this.do(() => void this.stmts.removeProcess.run(project, pid));
  }

  processes(project: string): Promise<{ pid: number; start_time: string | null; run_id: string }[]> {
    return this.do(() => this.stmts.processes.all(project) as { pid: number; start_time: string | null; run_id: string }[]);
  }

  // A file has no connection to lose.
  watchConnection(_onTrouble: ListenTrouble): void {}

  signal(s: StoreSignal): Promise<void> {
    return this.do(() => this.signals.signal(s));
  }

  listen(project: string, onSignal: (s: StoreSignal) => void, onTrouble?: ListenTrouble): Promise<() => Promise<void>> {
    if (this.withinTransaction) return Promise.reject(new Error('this is a bug: listen inside a transaction'));
    return listenSqlite(
      (op) =>
        this.do(() => {
          if (!this.db.open) throw new Error('store closed');
          return op();
        }),
      this.signals,
      project,
      onSignal,
      onTrouble,
    );
  }

  appendOutput(project: string, taskId: string, iteration: number, runId: string, chunk: string): Promise<void> {
    return this.do(() => this.signals.appendOutput(project, taskId, iteration, runId, chunk));
  }

  output(project: string, taskId: string, afterSeq: number, limit = 1000): Promise<OutputChunk[]> {
    return this.do(() => this.signals.output(project, taskId, afterSeq, limit));
  }

  pruneOutput(project: string, taskId: string, keepIterations: number): Promise<void> {
    return this.do(() => this.signals.pruneOutput(project, taskId, keepIterations));
  }

  setEnvironmentHealth(project: string, environment: string, reason: string | null): Promise<void> {
    return this.do(
      () => void (reason === null ? this.stmts.clearHealth.run(project, environment) : this.stmts.setHealth.run({ project, environment, state: 'degraded', reason, since: now() })),
    );
  }

  environmentHealth(project: string): Promise<{ environment: string; state: string; reason: string; since: string }[]> {
    return this.do(() => this.stmts.health.all(project) as { environment: string; state: string; reason: string; since: string }[]);
  }
}
