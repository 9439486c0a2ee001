import { hostname } from 'node:os';
import pg from 'pg';
import { PG } from './pg-statements.js';
import { appendOutput, listenPostgres, notify, output, pruneOutput } from './pg-signals.js';
import { toStoreFailure } from './pg-failure.js';
import { migratePostgres, SCHEMA } from './pg-migrate.js';
import { noteOpened } from './store-handles.js';
import { chainHash, likePrefix } from './store.js';
import type { ClaimedTask, ClaimRow, CutOffClaim, RunnerInfo, RunnerRow, TaskClaim } from './claims.js';
import { pgClaims, type Query } from './pg-claims.js';
import { pgQueue } from './pg-queue.js';
import type { FileMark, QueueFileId, QueueFileRow, QueuePushResult, StoredFileMark, StoredQueue } from './queue-revision.js';
import { pgProjections } from './pg-projections.js';
import { pgChain } from './pg-chain.js';
import { pgLock } from './pg-lock.js';
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
import { IDLE_IN_TRANSACTION_MS, PgConnection, type Queryable, type TxState } from './pg-connection.js';

const now = (): string => new Date().toISOString();

/**
 * The store in PostgreSQL: each method one statement (or a writer transaction of a few), on the
 * connections of PgConnection.
 */
export class PgStore extends PgConnection implements Store {
  /** Connects, and brings the schema up to date under an advisory lock. */
  static async connect(url: string): Promise<PgStore> {
    // A process paused (SIGSTOP) or cut off inside a transaction would hold the writer lock, and so
    // every runner, forever: the server ends such a transaction after 15 s (a runner's: its lease).
    const pool = new pg.Pool({ connectionString: url, max: 4, options: `-c search_path=${SCHEMA} -c idle_in_transaction_session_timeout=${IDLE_IN_TRANSACTION_MS} -c plan_cache_mode=force_generic_plan`, connectionTimeoutMillis: 10_000 });
    // An idle connection the server dropped: the next query says so; the process must not crash here.
    pool.on('error', () => undefined);
    try {
      await migratePostgres(pool);
    } catch (e) {
      await pool.end().catch(() => undefined);
      throw toStoreFailure(e, url);
    }
    noteOpened();
    return new PgStore(pool, pool, url, { onTrouble: undefined });
  }

  protected onConnection(client: Queryable, state: TxState): this {
    return new PgStore(this.pool, client, this.url, this.reconnect, state) as this;
  }

  // Several runners of a project share the database: tasks are claimed (leases with fencing tokens), no project lock.
  readonly sharedByRunners = true;

  readonly #q: Query = (sql, params) => this.rows(sql, params);

  registerRunner(runner: RunnerInfo, leaseMs: number): Promise<void> {
    this.limitIdleInTransaction(leaseMs);
    return pgClaims.register(this.#q, runner, leaseMs);
  }

  renewLease(runnerId: string, leaseMs: number): Promise<TaskClaim[]> {
    return this.write((tx) => pgClaims.renew(tx.#q, runnerId, leaseMs));
  }

  claimTask(project: string, runnerId: string, candidates: readonly string[], leaseMs: number): Promise<ClaimedTask | undefined> {
    return this.write((tx) => pgClaims.claim(tx.#q, (sql, params) => tx.run(sql, params), project, runnerId, candidates, leaseMs));
  }

  holdsClaim(project: string, taskId: string, runnerId: string, token: number): Promise<boolean> {
    return pgClaims.holds(this.#q, project, taskId, runnerId, token);
  }

  assertClaim(project: string, taskId: string, runnerId: string, token: number): Promise<void> {
    return this.run('SELECT assert_claim($1, $2, $3, $4)', [project, taskId, runnerId, token]);
  }

  // Let go with the store's next transaction (see soon): the next claim's message carries it.
  releaseClaim(project: string, taskId: string, runnerId: string, token: number): Promise<void> {
    return pgClaims.release((sql, params) => this.soon(sql, params), project, taskId, runnerId, token);
  }

  expireRunner(runnerId: string): Promise<void> {
    return this.write((tx) => pgClaims.expire(tx.#q, runnerId));
  }

  stopRunner(runnerId: string): Promise<void> {
    return this.write((tx) => pgClaims.stop(tx.#q, runnerId));
  }

  runners(project: string): Promise<RunnerRow[]> {
    return pgClaims.runners(this.#q, project);
  }

  claims(project: string): Promise<ClaimRow[]> {
    return pgClaims.claims(this.#q, project);
  }

  cutOffClaims(project: string, exceptRunnerId: string): Promise<CutOffClaim[]> {
    return pgClaims.cutOff(this.#q, project, exceptRunnerId);
  }

  storedQueue(project: string): Promise<StoredQueue> {
    return pgQueue.stored(this.#q, project);
  }
  pushQueue(project: string, expected: number, source: string, defs: readonly { task_id: string; definition: string; position: number }[]): Promise<QueuePushResult> {
    return this.write((tx) => pgQueue.push(tx.#q, project, expected, source, defs));
  }
  saveFileMarks(project: string, file: QueueFileId, marks: readonly FileMark[]): Promise<void> {
    return this.write((tx) => pgQueue.saveMarks(tx.#q, project, file, marks));
  }
  fileMarks(project: string, fileKey: string): Promise<Map<string, StoredFileMark>> {
    return pgQueue.marks(this.#q, project, fileKey);
  }
  allFileMarks(project: string): Promise<StoredFileMark[]> {
    return pgQueue.allMarks(this.#q, project);
  }
  queueFiles(project: string): Promise<QueueFileRow[]> {
    return pgQueue.files(this.#q, project);
  }
  forgetQueueFile(project: string, fileKey: string): Promise<boolean> {
    return this.write((tx) => pgQueue.forget(tx.#q, project, fileKey));
  }

  acquireLock(project: string, runId: string, isAlive: (pid: number) => boolean): Promise<LockResult> {
    return this.transaction((tx) => pgLock.acquire((tx as unknown as PgStore).#q, project, runId, isAlive));
  }

  forceUnlock(project: string): Promise<LockHolder | undefined> {
    return this.transaction((tx) => pgLock.force((tx as unknown as PgStore).#q, project));
  }

  releaseLock(project: string, runId: string): Promise<void> {
    return pgLock.release(this.#q, project, runId);
  }

  lockHolder(project: string): Promise<LockHolder | undefined> {
    return pgLock.holder(this.#q, project);
  }

  startRun(project: string, runId: string, osUser: string | null = null): Promise<void> {
    return this.run(PG.startRun, [runId, project, process.pid, hostname(), now(), osUser]);
  }

  endRun(runId: string, exitCode: number): Promise<void> {
    return this.run(PG.endRun, [runId, now(), exitCode]);
  }

  lastRunStarter(project: string): Promise<{ run_id: string; os_user: string | null } | undefined> {
    return this.first(PG.lastRunStarter, [project]);
  }

  approvalUse(decisionId: string): Promise<{ attempt: number; run_id: string; used_at: string } | undefined> {
    return this.first(PG.approvalUse, [decisionId]);
  }

  useApproval(project: string, taskId: string, decisionId: string, attempt: number, runId: string): Promise<void> {
    return this.run(PG.useApproval, [decisionId, project, taskId, attempt, runId, now()]);
  }

  tasksUpdatedSince(project: string, since: string): Promise<TaskRow[]> {
    return this.rows(PG.tasksUpdatedSince, [project, since]);
  }

  async tasks(project: string): Promise<Map<string, TaskRow>> {
    return new Map((await this.rows<TaskRow>(PG.tasks, [project])).map((r) => [r.task_id, r]));
  }

  task(project: string, taskId: string): Promise<TaskRow | undefined> {
    return this.first(PG.task, [project, taskId]);
  }

  saveTask(project: string, r: Omit<TaskRow, 'updated_at'>): Promise<void> {
    return this.run(PG.saveTask, [project, r.task_id, r.status, r.file_status, r.iterations, r.base_iteration, r.last_error, r.reason, now()]);
  }

  setFileStatus(project: string, taskId: string, fileStatus: string): Promise<void> {
    return this.run(PG.setFileStatus, [project, taskId, fileStatus]);
  }

  beginIteration(project: string, taskId: string, n: number, runId: string): Promise<number> {
    return this.read<{ id: number }, number>(PG.beginIteration, [project, taskId, n, runId, now()], (rows) => Number(rows[0]?.id));
  }

  endIteration(id: number, r: IterationEnd): Promise<void> {
    return this.run(PG.endIteration, [id, r.state, now(), r.verdict, r.promiseMet ? 1 : 0, r.error, r.outputTail]);
  }

  iterations(project: string, taskId: string): Promise<IterationRow[]> {
    return this.rows(PG.iterations, [project, taskId]);
  }

  runningIterations(project: string): Promise<IterationRow[]> {
    return this.rows(PG.runningIterations, [project]);
  }

  saveIterationMetrics(m: IterationMetricsRow): Promise<void> {
    return this.run(PG.saveIterationMetrics, [
      m.iteration_id, m.project, m.task_id, m.n, m.run_id, m.cost_usd, m.input_tokens, m.output_tokens, m.cached_tokens, m.turns,
      m.duration_ms, m.retries, m.session_id, m.model, m.checkpoint, m.checkpoint_branch, m.log_file, m.stop_reason,
    ]);
  }

  iterationsWithMetrics(project: string, taskId: string, fromN = 1): Promise<IterationWithMetrics[]> {
    return this.rows(PG.iterationsWithMetrics, [project, taskId, fromN]);
  }

  iterationFigures(project: string): Promise<IterationFigures[]> {
    return this.rows(PG.iterationFigures, [project]);
  }

  async runCost(runId: string): Promise<number> {
    return (await this.first<{ cost: number | null }>(PG.runCost, [runId]))?.cost ?? 0;
  }

  latestDoneStep(project: string, taskId: string, name: string): Promise<{ result: string | null } | undefined> {
    return this.first(PG.latestDoneStep, [project, taskId, name]);
  }

  step(project: string, taskId: string, iteration: number, name: string): Promise<{ state: string; result: string | null; runs: number } | undefined> {
    return this.first(PG.getStep, [project, taskId, iteration, name]);
  }

  beginStep(project: string, taskId: string, iteration: number, name: string): Promise<void> {
    return this.run(PG.beginStep, [project, taskId, iteration, name, now()]);
  }

  endStep(project: string, taskId: string, iteration: number, name: string, result: string): Promise<void> {
    return this.run(PG.endStep, [project, taskId, iteration, name, result, now()]);
  }

  interruptStep(project: string, taskId: string, iteration: number, name: string): Promise<void> {
    return this.run(PG.interruptStep, [project, taskId, iteration, name]);
  }

  interruptedSteps(project: string, taskId: string): Promise<{ iteration: number; name: string }[]> {
    return this.rows(PG.interruptedSteps, [project, taskId]);
  }

  addEvent(project: string, runId: string | null, taskId: string | null, type: string, data?: unknown): Promise<void> {
    return this.run(PG.addEvent, [now(), runId, project, taskId, type, data === undefined ? null : JSON.stringify(data)]);
  }

  // A record's chain link reads the last one: the read and the insert are one writer transaction,
  // so two processes never chain onto the same row.
  insertDeployment(project: string, id: string, record: string): Promise<void> {
    return this.write(async (tx) => tx.run(PG.insertDeployment, [id, project, record, chainHash(await pgChain.last(tx.#q, 'deployments'), id, record)]));
  }

  deployments(project?: string): Promise<StoredRecord[]> {
    return project ? this.rows(PG.deploymentsOf, [project]) : this.rows(PG.allDeployments);
  }

  insertDecision(project: string, id: string, taskId: string | null, decision: string, fingerprint: string | null, record: string, signature: string | null = null): Promise<void> {
    return this.write(async (tx) =>
      tx.run(PG.insertDecision, [id, project, taskId, decision, fingerprint, record, chainHash(await pgChain.last(tx.#q, 'decisions'), id, record), signature]),
    );
  }

  async decisionSignatures(): Promise<{ seq: number; id: string; signature: string | null }[]> {
    return (await this.rows<{ seq: number | string; id: string; signature: string | null }>(PG.decisionSignatures)).map((r) => ({ ...r, seq: Number(r.seq) }));
  }

  decisions(project?: string): Promise<StoredRecord[]> {
    return project ? this.rows(PG.decisionsOf, [project]) : this.rows(PG.allDecisions);
  }

  taskDecisions(project: string, taskId: string): Promise<StoredDecision[]> {
    return this.rows(PG.taskDecisions, [project, taskId]);
  }

  insertProvisioning(project: string, id: string, taskId: string, record: string): Promise<void> {
    return this.run(PG.insertProvisioning, [id, project, taskId, record]);
  }

  provisioning(project?: string): Promise<StoredRecord[]> {
    return project ? this.rows(PG.provisioningOf, [project]) : this.rows(PG.allProvisioning);
  }

  recordCount(table: RecordTable): Promise<{ rows: number; inserted: number }> {
    return pgChain.count(this.#q, table);
  }

  chainedRecords(table: RecordTable): Promise<ChainedRecord[]> {
    return pgChain.records(this.#q, table);
  }

  rechain(table: RecordTable): Promise<void> {
    return this.write((tx) => pgChain.rechain(tx.#q, (sql, params) => tx.run(sql, params), table));
  }

  saveGateSubject(project: string, taskId: string, fingerprint: string, subject: string): Promise<void> {
    return this.run(PG.saveGateSubject, [project, taskId, fingerprint, subject, now()]);
  }

  gateSubject(project: string, taskId: string): Promise<GateSubjectRow | undefined> {
    return this.first(PG.gateSubject, [project, taskId]);
  }
  saveConsoleToken(row: Pick<ConsoleTokenRow, 'id' | 'person' | 'hash' | 'created_at'>): Promise<void> {
    return this.run(PG.saveConsoleToken, [row.id, row.person, row.hash, row.created_at]);
  }

  consoleTokens(): Promise<ConsoleTokenRow[]> {
    return this.rows(PG.consoleTokens);
  }

  useConsoleToken(hash: string): Promise<ConsoleTokenRow | undefined> {
    return this.first(PG.useConsoleToken, [now(), hash]);
  }

  async revokeConsoleToken(idPrefix: string): Promise<number> {
    return (await this.rows(PG.revokeConsoleToken, [now(), `${likePrefix(idPrefix)}%`])).length;
  }

  recordIds(table: RecordTable): Promise<{ id: string; seq: number }[]> {
    return pgProjections.ids(this.#q, table);
  }

  recordsAfter(table: RecordTable, seq: number): Promise<StoredRecord[]> {
    return pgProjections.after(this.#q, table, seq);
  }

  projectionKey(file: string): string {
    return pgProjections.key(file);
  }

  projectionMark(key: string): Promise<ProjectionMark | undefined> {
    return pgProjections.mark(this.#q, key);
  }

  setProjectionMark(key: string, mark: ProjectionMark | null): Promise<void> {
    return pgProjections.setMark(this.#q, key, mark);
  }

  addProcess(project: string, runId: string, pid: number, startTime: string | null): Promise<void> {
    return this.run(PG.addProcess, [pid, startTime, project, runId, now()]);
  }

  removeProcess(project: string, pid: number): Promise<void> {
    return this.run(PG.removeProcess, [project, pid]);
  }

  processes(project: string): Promise<{ pid: number; start_time: string | null; run_id: string }[]> {
    return this.rows(PG.processes, [project]);
  }

  setEnvironmentHealth(project: string, environment: string, reason: string | null): Promise<void> {
    return reason === null ? this.run(PG.clearHealth, [project, environment]) : this.run(PG.setHealth, [project, environment, reason, now()]);
  }

  environmentHealth(project: string): Promise<{ environment: string; state: string; reason: string; since: string }[]> {
    return this.rows(PG.health, [project]);
  }

  /** Whether the database holds nothing of ours yet (no task, no record). */
  readonly #query = <T>(sql: string, params: unknown[]): Promise<T[]> => this.rows<T>(sql, params);

  watchConnection(onTrouble: ListenTrouble): void {
    this.reconnect.onTrouble = onTrouble;
  }

  signal(s: StoreSignal): Promise<void> {
    return notify(this.#query, s);
  }

  listen(project: string, onSignal: (s: StoreSignal) => void, onTrouble?: ListenTrouble): Promise<() => Promise<void>> {
    return listenPostgres(this.url, project, onSignal, onTrouble).catch((e: unknown) => Promise.reject(toStoreFailure(e, this.url)));
  }

  async appendOutput(project: string, taskId: string, iteration: number, runId: string, chunk: string): Promise<void> {
    await appendOutput(this.#query, project, taskId, iteration, runId, chunk);
  }

  output(project: string, taskId: string, afterSeq: number, limit = 1000): Promise<OutputChunk[]> {
    return output(this.#query, project, taskId, afterSeq, limit);
  }

  pruneOutput(project: string, taskId: string, keepIterations: number): Promise<void> {
    return pruneOutput(this.#query, project, taskId, keepIterations);
  }

  async isEmpty(): Promise<boolean> {
    return Number((await this.first<{ n: string }>(PG.holdsRecords, []))?.n ?? 0) === 0;
  }
}
