import type { Db } from './open-database.js';
import type { ListenTrouble, OutputChunk, StoreSignal } from './store.js';

// How often a listener on a SQLite file reads the signals table: one machine, one file, a cheap
// indexed read; PostgreSQL needs none of this (LISTEN/NOTIFY).
const POLL_MS = 100;
// Signals older than this many are of no use to anyone (a listener reads within POLL_MS).
const KEEP_SIGNALS = 1000;

/** The statements of signals and task output, prepared on first use (a run that needs none pays nothing). */
export class SqliteSignals {
  readonly #db: Db;
  #s: ReturnType<typeof prepare> | undefined;

  constructor(db: Db) {
    this.#db = db;
  }

  get #stmts(): ReturnType<typeof prepare> {
    this.#s ??= prepare(this.#db);
    return this.#s;
  }

  signal(s: StoreSignal): void {
    const id = Number(this.#stmts.insertSignal.run(s.project, s.kind, s.task_id, new Date().toISOString()).lastInsertRowid);
    if (id % 100 === 0) this.#stmts.pruneSignals.run(id - KEEP_SIGNALS);
  }

  lastSignal(): number {
    return (this.#stmts.lastSignal.get() as { id: number | null }).id ?? 0;
  }

  signalsAfter(project: string, after: number): (StoreSignal & { id: number })[] {
    return this.#stmts.signalsAfter.all(after, project) as (StoreSignal & { id: number })[];
  }

  appendOutput(project: string, taskId: string, iteration: number, runId: string, chunk: string): void {
    this.#stmts.appendOutput.run(project, taskId, iteration, runId, chunk, new Date().toISOString());
  }

  output(project: string, taskId: string, afterSeq: number, limit: number): OutputChunk[] {
    return this.#stmts.output.all(project, taskId, afterSeq, limit) as OutputChunk[];
  }

  pruneOutput(project: string, taskId: string, keepIterations: number): void {
    const kept = this.#stmts.keptIteration.get(project, taskId, Math.max(0, keepIterations - 1)) as { iteration: number } | undefined;
    if (kept) this.#stmts.pruneOutput.run(project, taskId, kept.iteration);
  }
}

function prepare(db: Db) {
  return {
    insertSignal: db.prepare('INSERT INTO signals (project, kind, task_id, at) VALUES (?, ?, ?, ?)'),
    pruneSignals: db.prepare('DELETE FROM signals WHERE id < ?'),
    lastSignal: db.prepare('SELECT max(id) AS id FROM signals'),
    signalsAfter: db.prepare('SELECT id, project, kind, task_id FROM signals WHERE id > ? AND project = ? ORDER BY id'),
    appendOutput: db.prepare('INSERT INTO task_output (project, task_id, iteration, run_id, chunk, at) VALUES (?, ?, ?, ?, ?, ?)'),
    output: db.prepare('SELECT seq, iteration, run_id, chunk, at FROM task_output WHERE project = ? AND task_id = ? AND seq > ? ORDER BY seq LIMIT ?'),
    keptIteration: db.prepare('SELECT DISTINCT iteration FROM task_output WHERE project = ? AND task_id = ? ORDER BY iteration DESC LIMIT 1 OFFSET ?'),
    pruneOutput: db.prepare('DELETE FROM task_output WHERE project = ? AND task_id = ? AND iteration < ?'),
  };
}

/**
 * Listens on a SQLite file: reads the signals table every POLL_MS (through `read`, which waits
 * for the process's open transaction like every other call). Resolves once it listens.
 */
export async function listenSqlite(
  read: <T>(op: () => T) => Promise<T>,
  signals: SqliteSignals,
  project: string,
  onSignal: (s: StoreSignal) => void,
  onTrouble?: ListenTrouble,
): Promise<() => Promise<void>> {
  let last = await read(() => signals.lastSignal());
  let stopped = false;
  let troubled = false;
  let reading: Promise<void> | undefined;
  const tick = (): void => {
    if (stopped || reading) return;
    reading = read(() => signals.signalsAfter(project, last))
      .then((rows) => {
        if (troubled) onTrouble?.(null);
        troubled = false;
        for (const row of rows) {
          last = row.id;
          if (!stopped) onSignal({ project: row.project, kind: row.kind, task_id: row.task_id });
        }
      })
      .catch((e: unknown) => {
        // A closed store ends listening; anything else is said and tried again at the next tick.
        if (/not open|closed/i.test(String(e))) stopped = true;
        else if (!troubled) onTrouble?.(`cannot read the signals of the state store (${e instanceof Error ? e.message : String(e)}); trying again`);
        troubled = !stopped;
      })
      .finally(() => {
        reading = undefined;
      });
  };
  const timer = setInterval(tick, POLL_MS);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await reading;
  };
}
