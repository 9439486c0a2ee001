import type { Db } from './open-database.js';
import type { Statements } from './sqlite-statements.js';
import type { StoreGate } from './store-gate.js';
import type { SqliteSignals } from './sqlite-signals.js';
import { noteClosed } from './store-handles.js';
import type { Store } from './store.js';

/** Where a store made for one transaction stands: nested savepoints, and whether it has ended. */
export interface TxState {
  depth: number;
  ended: boolean;
}

/**
 * SQLite's handle for the store (better-sqlite3, synchronous). Each call runs at once, unless a
 * transaction of this process is open: then it waits for its end (the gate), so no other work
 * of the process interleaves into it; BEGIN IMMEDIATE keeps other processes out.
 */
export abstract class SqliteConnection {
  protected readonly db: Db;
  protected readonly stmts: Statements;
  protected readonly gate: StoreGate;
  protected readonly signals: SqliteSignals;
  /** Set on the store handed to a transaction's function: it runs inside the gate. */
  readonly #tx: TxState | undefined;

  protected constructor(db: Db, stmts: Statements, gate: StoreGate, signals: SqliteSignals, tx?: TxState) {
    this.db = db;
    this.stmts = stmts;
    this.gate = gate;
    this.signals = signals;
    this.#tx = tx;
  }

  protected get withinTransaction(): boolean {
    return this.#tx !== undefined;
  }

  /** The same store, for a transaction's function. */
  protected abstract inTransaction(state: TxState): this;

  get open(): boolean {
    return this.db.open;
  }

  protected do<T>(op: () => T): Promise<T> {
    if (this.#tx?.ended) return Promise.reject(new Error('this is a bug: the store of a transaction was used after the transaction ended'));
    if (!this.#tx && this.gate.held) return this.gate.run(op);
    try {
      return Promise.resolve(op());
    } catch (e) {
      return Promise.reject(e);
    }
  }

  close(): Promise<void> {
    if (this.#tx) return Promise.reject(new Error('this is a bug: a transaction closed the store'));
    return this.do(() => {
      if (this.db.open) {
        this.db.close();
        noteClosed();
      }
    });
  }

  async transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    if (this.#tx) return this.#nested(fn, this.#tx);
    await this.gate.acquire();
    const state: TxState = { depth: 0, ended: false };
    try {
      this.stmts.begin.run();
      try {
        const result = await fn(this.inTransaction(state) as unknown as Store);
        this.stmts.commit.run();
        return result;
      } catch (e) {
        if (this.db.inTransaction) this.stmts.rollback.run();
        throw e;
      }
    } finally {
      state.ended = true;
      this.gate.release();
    }
  }

  // A transaction inside a transaction: a savepoint, rolled back alone when its function throws.
  async #nested<T>(fn: (tx: Store) => Promise<T>, state: TxState): Promise<T> {
    if (state.ended) throw new Error('this is a bug: the store of a transaction was used after the transaction ended');
    const name = `nested_${++state.depth}`;
    this.db.exec(`SAVEPOINT ${name}`);
    try {
      const result = await fn(this as unknown as Store);
      this.db.exec(`RELEASE ${name}`);
      return result;
    } catch (e) {
      if (this.db.inTransaction) this.db.exec(`ROLLBACK TO ${name}; RELEASE ${name}`);
      throw e;
    } finally {
      state.depth--;
    }
  }
}
