import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { openDatabase, type Db } from './open-database.js';
import { bootId, startTimeOf } from './process-identity.js';

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
  /** 1 once projected into its file (listed for all projects only). */
  written?: number;
}

const now = (): string => new Date().toISOString();

export type RecordTable = 'deployments' | 'decisions';

/** One link of a record table's hash chain. */
export function chainHash(prev: string, id: string, record: string): string {
  return createHash('sha256').update(`${prev}\n${id}\n${record}`).digest('hex');
}

let openStores = 0;

/** How many stores this process has open: tests fail on a leaked handle. */
export function openStoreCount(): number {
  return openStores;
}

/** The project's state, in SQLite: committed here before anything else is told. */
export class StateStore {
  readonly db: Db;
  readonly #stmts: ReturnType<typeof prepare>;

  private constructor(db: Db) {
    this.db = db;
    this.#stmts = prepare(db);
  }

  static open(file: string): StateStore {
    const store = new StateStore(openDatabase(file));
    openStores++;
    return store;
  }

  close(): void {
    if (this.db.open) {
      this.db.close();
      openStores--;
    }
  }

  /** Runs fn in one write transaction; BEGIN IMMEDIATE also serialises other processes. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  // The project lock: one loop per project. A holder that is gone is replaced: on this host, a
  // dead pid, a pid from an earlier boot, or a pid now held by a later process (its start time
  // differs: a container's PID 1 restarted). The check and the take happen in one transaction.
  acquireLock(project: string, runId: string, isAlive: (pid: number) => boolean): { ok: true; tookOverFrom?: LockHolder } | { ok: false; holder: LockHolder } {
    return this.transaction(() => {
      const holder = this.#stmts.getLock.get(project) as LockHolder | undefined;
      const host = hostname();
      if (holder && !(holder.host === host && isGone(holder, isAlive))) return { ok: false as const, holder };
      this.#stmts.putLock.run({ project, pid: process.pid, host, since: now(), run_id: runId, boot_id: bootId(), start_time: startTimeOf(process.pid) });
      return holder ? { ok: true as const, tookOverFrom: holder } : { ok: true as const };
    });
  }

  /** `unlock --force`: the lock removed whoever holds it; the holder it had, if any. */
  forceUnlock(project: string): LockHolder | undefined {
    return this.transaction(() => {
      const holder = this.#stmts.getLock.get(project) as LockHolder | undefined;
      if (holder) this.#stmts.forceUnlock.run(project);
      return holder;
    });
  }

  releaseLock(project: string, runId: string): void {
    this.#stmts.deleteLock.run(project, runId);
  }

  lockHolder(project: string): LockHolder | undefined {
    return this.#stmts.getLock.get(project) as LockHolder | undefined;
  }

  startRun(project: string, runId: string, osUser: string | null = null): void {
    this.#stmts.startRun.run({ run_id: runId, project, pid: process.pid, host: hostname(), started_at: now(), os_user: osUser });
  }

  /** Who started the project's latest run (the OS user), for `prevent_self_approval`. */
  lastRunStarter(project: string): { run_id: string; os_user: string | null } | undefined {
    return this.#stmts.lastRunStarter.get(project) as { run_id: string; os_user: string | null } | undefined;
  }

  /** The attempt a production approval was used by, if it was. */
  approvalUse(decisionId: string): { attempt: number; run_id: string; used_at: string } | undefined {
    return this.#stmts.approvalUse.get(decisionId) as { attempt: number; run_id: string; used_at: string } | undefined;
  }

  /** Marks an approval used by this attempt of its task (a first use sticks). */
  useApproval(project: string, taskId: string, decisionId: string, attempt: number, runId: string): void {
    this.#stmts.useApproval.run({ decision_id: decisionId, project, task_id: taskId, attempt, run_id: runId, used_at: now() });
  }

  endRun(runId: string, exitCode: number): void {
    this.#stmts.endRun.run({ run_id: runId, ended_at: now(), exit_code: exitCode });
  }

  tasks(project: string): Map<string, TaskRow> {
    const rows = this.#stmts.tasks.all(project) as TaskRow[];
    return new Map(rows.map((r) => [r.task_id, r]));
  }

  task(project: string, taskId: string): TaskRow | undefined {
    return this.#stmts.task.get(project, taskId) as TaskRow | undefined;
  }

  saveTask(project: string, row: Omit<TaskRow, 'updated_at'>): void {
    this.#stmts.saveTask.run({ project, ...row, updated_at: now() });
  }

  setFileStatus(project: string, taskId: string, fileStatus: string): void {
    this.#stmts.setFileStatus.run(fileStatus, project, taskId);
  }

  beginIteration(project: string, taskId: string, n: number, runId: string): number {
    return Number(this.#stmts.beginIteration.run({ project, task_id: taskId, n, run_id: runId, started_at: now() }).lastInsertRowid);
  }

  endIteration(id: number, r: { state: 'done' | 'interrupted'; verdict: string | null; promiseMet: boolean; error: string | null; outputTail: string | null }): void {
    this.#stmts.endIteration.run({ id, state: r.state, ended_at: now(), verdict: r.verdict, promise_met: r.promiseMet ? 1 : 0, error: r.error, output_tail: r.outputTail });
  }

  iterations(project: string, taskId: string): IterationRow[] {
    return this.#stmts.iterations.all(project, taskId) as IterationRow[];
  }

  runningIterations(project: string): IterationRow[] {
    return this.#stmts.runningIterations.all(project) as IterationRow[];
  }

  latestDoneStep(project: string, taskId: string, name: string): { result: string | null } | undefined {
    return this.#stmts.latestDoneStep.get(project, taskId, name) as { result: string | null } | undefined;
  }

  step(project: string, taskId: string, iteration: number, name: string): { state: string; result: string | null; runs: number } | undefined {
    return this.#stmts.getStep.get(project, taskId, iteration, name) as { state: string; result: string | null; runs: number } | undefined;
  }

  beginStep(project: string, taskId: string, iteration: number, name: string): void {
    this.#stmts.beginStep.run({ project, task_id: taskId, iteration, name, started_at: now() });
  }

  endStep(project: string, taskId: string, iteration: number, name: string, result: string): void {
    this.#stmts.endStep.run({ project, task_id: taskId, iteration, name, result, ended_at: now() });
  }

  /** A step cut off by a crash and not redone: kept on record as such. */
  interruptStep(project: string, taskId: string, iteration: number, name: string): void {
    this.#stmts.interruptStep.run(project, taskId, iteration, name);
  }

  /** Steps of a task a crash cut off and that were not redone, after an iteration number. */
  interruptedSteps(project: string, taskId: string, afterIteration: number): { iteration: number; name: string }[] {
    return this.#stmts.interruptedSteps.all(project, taskId, afterIteration) as { iteration: number; name: string }[];
  }

  addEvent(project: string, runId: string | null, taskId: string | null, type: string, data?: unknown): void {
    this.#stmts.addEvent.run({ at: now(), run_id: runId, project, task_id: taskId, type, data: data === undefined ? null : JSON.stringify(data) });
  }

  insertDeployment(project: string, id: string, record: string): void {
    this.#stmts.insertDeployment.run({ id, project, record, chain: this.#nextChain('deployments', id, record) });
  }

  // The hash that links a new row to the last one: sha-256 of the previous chain, the id, the record.
  #nextChain(table: RecordTable, id: string, record: string): string {
    const last = this.db.prepare(`SELECT chain FROM ${table} ORDER BY seq DESC LIMIT 1`).get() as { chain: string | null } | undefined;
    return chainHash(last?.chain ?? '', id, record);
  }

  /** Rows in the table now, and rows ever inserted there (a delete does not lower it). */
  recordCount(table: RecordTable): { rows: number; inserted: number } {
    const rows = (this.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    const inserted = (this.#stmts.recordCount.get(table) as { inserted: number } | undefined)?.inserted ?? rows;
    return { rows, inserted };
  }

  /** Every row of a record table with its chain, in order: what `history --verify` recomputes. */
  chainedRecords(table: RecordTable): { seq: number; id: string; record: string; chain: string | null }[] {
    return this.db.prepare(`SELECT seq, id, record, chain FROM ${table} ORDER BY seq`).all() as { seq: number; id: string; record: string; chain: string | null }[];
  }

  /**
   * `repair` after the store lost rows: the chain is computed again over every row in order (the
   * restored rows included) and the count set to the rows there. Run inside a transaction.
   */
  rechain(table: RecordTable): void {
    let prev = '';
    const update = this.db.prepare(`UPDATE ${table} SET chain = ? WHERE seq = ?`);
    for (const row of this.chainedRecords(table)) {
      prev = chainHash(prev, row.id, row.record);
      update.run(prev, row.seq);
    }
    this.db.prepare('INSERT OR REPLACE INTO record_counts (tbl, inserted) SELECT ?, count(*) FROM ' + table).run(table);
  }

  deployments(project?: string): StoredRecord[] {
    return (project ? this.#stmts.deploymentsOf.all(project) : this.#stmts.allDeployments.all()) as StoredRecord[];
  }

  unwrittenDeployments(): StoredRecord[] {
    return this.#stmts.unwrittenDeployments.all() as StoredRecord[];
  }

  markDeploymentsWritten(ids: readonly string[]): void {
    for (const id of ids) this.#stmts.markDeploymentWritten.run(id);
  }

  insertDecision(project: string, id: string, taskId: string | null, decision: string, fingerprint: string | null, record: string): void {
    this.#stmts.insertDecision.run({ id, project, task_id: taskId, decision, fingerprint, record, chain: this.#nextChain('decisions', id, record) });
  }

  decisions(project?: string): StoredRecord[] {
    return (project ? this.#stmts.decisionsOf.all(project) : this.#stmts.allDecisions.all()) as StoredRecord[];
  }

  taskDecisions(project: string, taskId: string): (StoredRecord & { decision: string; fingerprint: string | null })[] {
    return this.#stmts.taskDecisions.all(project, taskId) as (StoredRecord & { decision: string; fingerprint: string | null })[];
  }

  unwrittenDecisions(): StoredRecord[] {
    return this.#stmts.unwrittenDecisions.all() as StoredRecord[];
  }

  markDecisionsWritten(ids: readonly string[]): void {
    for (const id of ids) this.#stmts.markDecisionWritten.run(id);
  }

  /** The ids of a record table, and whether each is in its file yet. */
  recordIds(table: 'deployments' | 'decisions'): { id: string; written: number }[] {
    return this.db.prepare(`SELECT id, written FROM ${table} ORDER BY seq`).all() as { id: string; written: number }[];
  }

  projectionStamp(file: string): string | undefined {
    return (this.#stmts.getStamp.get(file) as { stamp: string } | undefined)?.stamp;
  }

  setProjectionStamp(file: string, stamp: string | null): void {
    if (stamp === null) this.#stmts.deleteStamp.run(file);
    else this.#stmts.putStamp.run(file, stamp);
  }

  /** Marks every record as not yet in its file: the next flush writes them all (a file rewritten from state.db). */
  markAllUnwritten(table: 'deployments' | 'decisions'): void {
    this.db.prepare(`UPDATE ${table} SET written = 0`).run();
  }

  addProcess(project: string, runId: string, pid: number, startTime: string | null): void {
    this.#stmts.addProcess.run({ project, run_id: runId, pid, start_time: startTime, started_at: now() });
  }

  removeProcess(project: string, pid: number): void {
    this.#stmts.removeProcess.run(project, pid);
  }

  processes(project: string): { pid: number; start_time: string | null; run_id: string }[] {
    return this.#stmts.processes.all(project) as { pid: number; start_time: string | null; run_id: string }[];
  }

  /** What the task's gate showed when it last opened (its fingerprint and subject, JSON). */
  saveGateSubject(project: string, taskId: string, fingerprint: string, subject: string): void {
    this.#stmts.saveGateSubject.run({ project, task_id: taskId, fingerprint, subject, computed_at: now() });
  }

  gateSubject(project: string, taskId: string): { fingerprint: string; subject: string; computed_at: string } | undefined {
    return this.#stmts.gateSubject.get(project, taskId) as { fingerprint: string; subject: string; computed_at: string } | undefined;
  }

  setEnvironmentHealth(project: string, environment: string, reason: string | null): void {
    if (reason === null) this.#stmts.clearHealth.run(project, environment);
    else this.#stmts.setHealth.run({ project, environment, state: 'degraded', reason, since: now() });
  }

  environmentHealth(project: string): { environment: string; state: string; reason: string; since: string }[] {
    return this.#stmts.health.all(project) as { environment: string; state: string; reason: string; since: string }[];
  }
}

function prepare(db: Db) {
  return {
    getLock: db.prepare('SELECT pid, host, since, run_id, boot_id, start_time FROM locks WHERE project = ?'),
    putLock: db.prepare(
      'INSERT OR REPLACE INTO locks (project, pid, host, since, run_id, boot_id, start_time) VALUES (@project, @pid, @host, @since, @run_id, @boot_id, @start_time)',
    ),
    forceUnlock: db.prepare('DELETE FROM locks WHERE project = ?'),
    getStamp: db.prepare('SELECT stamp FROM projection_stamps WHERE file = ?'),
    putStamp: db.prepare('INSERT OR REPLACE INTO projection_stamps (file, stamp) VALUES (?, ?)'),
    deleteStamp: db.prepare('DELETE FROM projection_stamps WHERE file = ?'),
    deleteLock: db.prepare('DELETE FROM locks WHERE project = ? AND run_id = ?'),
    startRun: db.prepare('INSERT INTO runs (run_id, project, pid, host, started_at, os_user) VALUES (@run_id, @project, @pid, @host, @started_at, @os_user)'),
    lastRunStarter: db.prepare(`SELECT run_id, os_user FROM runs WHERE project = ? AND run_id LIKE 'run-%' ORDER BY started_at DESC, rowid DESC LIMIT 1`),
    approvalUse: db.prepare('SELECT attempt, run_id, used_at FROM approval_uses WHERE decision_id = ?'),
    useApproval: db.prepare(
      'INSERT OR IGNORE INTO approval_uses (decision_id, project, task_id, attempt, run_id, used_at) VALUES (@decision_id, @project, @task_id, @attempt, @run_id, @used_at)',
    ),
    endRun: db.prepare('UPDATE runs SET ended_at = @ended_at, exit_code = @exit_code WHERE run_id = @run_id'),
    tasks: db.prepare('SELECT task_id, status, file_status, iterations, base_iteration, last_error, reason, updated_at FROM tasks WHERE project = ?'),
    task: db.prepare('SELECT task_id, status, file_status, iterations, base_iteration, last_error, reason, updated_at FROM tasks WHERE project = ? AND task_id = ?'),
    saveTask: db.prepare(
      `INSERT INTO tasks (project, task_id, status, file_status, iterations, base_iteration, last_error, reason, updated_at)
       VALUES (@project, @task_id, @status, @file_status, @iterations, @base_iteration, @last_error, @reason, @updated_at)
       ON CONFLICT (project, task_id) DO UPDATE SET status = excluded.status,
         iterations = excluded.iterations, base_iteration = excluded.base_iteration, last_error = excluded.last_error, reason = excluded.reason, updated_at = excluded.updated_at`,
    ),
    setFileStatus: db.prepare('UPDATE tasks SET file_status = ? WHERE project = ? AND task_id = ?'),
    beginIteration: db.prepare(
      `INSERT INTO iterations (project, task_id, n, run_id, state, started_at) VALUES (@project, @task_id, @n, @run_id, 'running', @started_at)`,
    ),
    endIteration: db.prepare(
      `UPDATE iterations SET state = @state, ended_at = @ended_at, verdict = @verdict, promise_met = @promise_met, error = @error, output_tail = @output_tail WHERE id = @id`,
    ),
    iterations: db.prepare('SELECT * FROM iterations WHERE project = ? AND task_id = ? ORDER BY id'),
    runningIterations: db.prepare(`SELECT * FROM iterations WHERE project = ? AND state = 'running' ORDER BY id`),
    latestDoneStep: db.prepare(`SELECT result FROM steps WHERE project = ? AND task_id = ? AND name = ? AND state = 'done' ORDER BY iteration DESC LIMIT 1`),
    getStep: db.prepare('SELECT state, result, runs FROM steps WHERE project = ? AND task_id = ? AND iteration = ? AND name = ?'),
    beginStep: db.prepare(
      `INSERT INTO steps (project, task_id, iteration, name, state, started_at) VALUES (@project, @task_id, @iteration, @name, 'running', @started_at)
       ON CONFLICT DO UPDATE SET state = 'running', started_at = excluded.started_at, runs = runs + 1`,
    ),
    endStep: db.prepare(
      `UPDATE steps SET state = 'done', result = @result, ended_at = @ended_at WHERE project = @project AND task_id = @task_id AND iteration = @iteration AND name = @name`,
    ),
    interruptedSteps: db.prepare(`SELECT iteration, name FROM steps WHERE project = ? AND task_id = ? AND iteration > ? AND state = 'interrupted' ORDER BY iteration, name`),
    interruptStep: db.prepare(`UPDATE steps SET state = 'interrupted' WHERE project = ? AND task_id = ? AND iteration = ? AND name = ?`),
    addEvent: db.prepare('INSERT INTO events (at, run_id, project, task_id, type, data) VALUES (@at, @run_id, @project, @task_id, @type, @data)'),
    insertDeployment: db.prepare('INSERT OR IGNORE INTO deployments (id, project, record, chain) VALUES (@id, @project, @record, @chain)'),
    recordCount: db.prepare('SELECT inserted FROM record_counts WHERE tbl = ?'),
    allDeployments: db.prepare('SELECT seq, id, record, written FROM deployments ORDER BY seq'),
    deploymentsOf: db.prepare('SELECT seq, id, record FROM deployments WHERE project = ? ORDER BY seq'),
    unwrittenDeployments: db.prepare('SELECT seq, id, record FROM deployments WHERE written = 0 ORDER BY seq'),
    markDeploymentWritten: db.prepare('UPDATE deployments SET written = 1 WHERE id = ?'),
    insertDecision: db.prepare(
      'INSERT INTO decisions (id, project, task_id, decision, fingerprint, record, chain) VALUES (@id, @project, @task_id, @decision, @fingerprint, @record, @chain)',
    ),
    allDecisions: db.prepare('SELECT seq, id, record, written FROM decisions ORDER BY seq'),
    decisionsOf: db.prepare('SELECT seq, id, record FROM decisions WHERE project = ? ORDER BY seq'),
    taskDecisions: db.prepare('SELECT seq, id, record, decision, fingerprint FROM decisions WHERE project = ? AND task_id = ? ORDER BY seq'),
    unwrittenDecisions: db.prepare('SELECT seq, id, record FROM decisions WHERE written = 0 ORDER BY seq'),
    markDecisionWritten: db.prepare('UPDATE decisions SET written = 1 WHERE id = ?'),
    addProcess: db.prepare('INSERT OR REPLACE INTO processes (pid, start_time, project, run_id, started_at) VALUES (@pid, @start_time, @project, @run_id, @started_at)'),
    removeProcess: db.prepare('DELETE FROM processes WHERE project = ? AND pid = ?'),
    processes: db.prepare('SELECT pid, start_time, run_id FROM processes WHERE project = ?'),
    setHealth: db.prepare(
      'INSERT OR REPLACE INTO environment_health (project, environment, state, reason, since) VALUES (@project, @environment, @state, @reason, @since)',
    ),
    saveGateSubject: db.prepare(
      'INSERT OR REPLACE INTO gate_subjects (project, task_id, fingerprint, subject, computed_at) VALUES (@project, @task_id, @fingerprint, @subject, @computed_at)',
    ),
    gateSubject: db.prepare('SELECT fingerprint, subject, computed_at FROM gate_subjects WHERE project = ? AND task_id = ?'),
    clearHealth: db.prepare('DELETE FROM environment_health WHERE project = ? AND environment = ?'),
    health: db.prepare('SELECT environment, state, reason, since FROM environment_health WHERE project = ?'),
  };
}

// A holder on this host that is no longer the process that took the lock.
function isGone(holder: LockHolder, isAlive: (pid: number) => boolean): boolean {
  if (!isAlive(holder.pid)) return true;
  const boot = bootId();
  if (holder.boot_id && boot && holder.boot_id !== boot) return true;
  const started = holder.start_time ? startTimeOf(holder.pid) : null;
  return started !== null && started !== holder.start_time;
}
