import pg from 'pg';
import { withReconnect, withReconnectTransaction, type Reconnect } from './pg-retry.js';
import { toStoreFailure } from './pg-failure.js';
import { noteClosed } from './store-handles.js';
import { batchOf, batchDone, numberOf } from './pg-batch.js';
import { ClaimLostError } from './claims.js';
import { Later } from './pg-later.js';
import type { Store } from './store.js';

// Taken by every write transaction: one writer at a time across processes, as BEGIN IMMEDIATE in SQLite.
const WRITER_LOCK = 0x616c_7772; // 'alwr'
// A process paused inside a transaction would hold the writer lock: the server ends it after this.
export const IDLE_IN_TRANSACTION_MS = 15_000;

// How long a transaction of a pool's store may sit idle (its process paused) before the server ends it.
const idleLimits = new WeakMap<pg.Pool, number>();

// When each connection last answered. A transaction on one that answered within FRESH_MS sends its
// BEGIN and writer lock with its first statement; on any other they go alone first, so that a
// connection the server dropped while it sat in the pool fails before anything of the transaction
// was sent, and the transaction is tried again on another.
const answeredAt = new WeakMap<object, number>();
const FRESH_MS = 1000;

export interface Queryable {
  query(sql: string | pg.QueryConfig, params?: unknown[]): Promise<pg.QueryResult>;
}

export interface TxState {
  depth: number;
  ended: boolean;
  /** Statements waiting to go with the transaction's next message (a read's answer taken from it). */
  pending: Waiting[];
}

interface Waiting {
  sql: string;
  params: unknown[];
  answer?: (answer: Answer) => void;
  fail?: (e: unknown) => void;
}

// Writes that may wait a moment (a claim let go, see `soon`): they go in the store's next
// transaction, or in one of their own after SOON_MS; closing the store sends them first.
const SOON_MS = 50;
interface Soon {
  writes: Waiting[];
  timer: NodeJS.Timeout | undefined;
  sending: Promise<void> | undefined;
}
const soonOf = new WeakMap<pg.Pool, Soon>();

// A transaction's waiting statements go out once there are this many (a transaction of thousands
// of writes, a run's first reading of a large queue, sends them in messages of this size).
const MOST_WAITING = 256;

// Raised by the schema's assert_claim (migration 014) when a write's claim is no longer held.
const CLAIM_LOST = 'AL001';

interface Answer {
  rows: unknown[];
  command: string;
}

// Each statement text the store sends with parameters is a named prepared statement: the server
// parses and plans it once a connection, not at every call.
function prepared(sql: string, params: unknown[]): pg.QueryConfig | string {
  const n = params.length === 0 ? undefined : numberOf(sql);
  return n === undefined ? sql : { name: `al_${n}`, text: sql, values: params };
}

/**
 * PostgreSQL's connections for the store (node-postgres, a small pool): calls outside a transaction
 * take any connection and are tried again across a lost connection; a transaction holds one, and
 * takes the writer lock first.
 */
export abstract class PgConnection {
  protected readonly pool: pg.Pool;
  readonly #db: Queryable;
  protected readonly url: string;
  readonly #tx: TxState | undefined;
  protected readonly reconnect: Reconnect;
  #open = true;

  protected constructor(pool: pg.Pool, db: Queryable, url: string, reconnect: Reconnect, tx?: TxState) {
    this.pool = pool;
    this.#db = db;
    this.url = url;
    this.reconnect = reconnect;
    this.#tx = tx;
  }

  /** The same store on a transaction's connection. */
  protected abstract onConnection(client: Queryable, state: TxState): this;

  get open(): boolean {
    return this.#open;
  }

  /**
   * A runner's lease bounds how long its transactions may sit idle: a runner paused (SIGSTOP) inside
   * one holds the writer lock, and so every other runner's writes (their heartbeats, the takeover of
   * its tasks), until the server ends the transaction. Never above the server-wide 15 s.
   */
  protected limitIdleInTransaction(ms: number): void {
    idleLimits.set(this.pool, Math.max(1000, Math.min(ms, IDLE_IN_TRANSACTION_MS)));
  }

  protected rows<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.#read(sql, params, (a) => a.rows as T[]);
  }

  protected first<T>(sql: string, params: unknown[]): Promise<T | undefined> {
    return this.#read(sql, params, (a) => a.rows[0] as T | undefined);
  }

  /** A read whose rows are made into its value as they arrive (not on a `then`, which would send it at once). */
  protected read<R, T>(sql: string, params: unknown[], pick: (rows: R[]) => T): Promise<T> {
    return this.#read(sql, params, (a) => pick(a.rows as R[]));
  }

  // Inside a transaction a read waits with the writes (see Later): sent when it is awaited, with
  // what waits before it, or with the COMMIT when its answer is taken after.
  #read<T>(sql: string, params: unknown[], pick: (a: Answer) => T): Promise<T> {
    const tx = this.#tx;
    if (!tx || tx.ended) return this.#answer(sql, params).then(pick);
    const entry: Waiting = { sql, params };
    const { later, resolve, reject } = Later.of<T>(() => {
      if (tx.pending.includes(entry)) this.#flush(tx).catch(() => undefined); // its failure is the entry's
    });
    entry.answer = (a) => resolve(pick(a));
    entry.fail = reject;
    tx.pending.push(entry);
    return later;
  }

  async #answer(sql: string, params: unknown[]): Promise<Answer> {
    if (this.#tx?.ended) throw new Error('this is a bug: the store of a transaction was used after the transaction ended');
    const query = prepared(sql, params);
    try {
      return await withReconnect(this.reconnect, this.url, sql, () => this.#db.query(query, params));
    } catch (e) {
      throw this.#failure(e);
    }
  }

  // What waits, in order: statements side by side that can be written out go in one message, each
  // read among them answered from its own part of the answer; one that cannot, or one alone, goes
  // with its parameters (a prepared statement, its plan kept by the server). Inside a transaction
  // its connection is the transaction: nothing is tried again.
  async #flush(tx: TxState): Promise<void> {
    const waiting = tx.pending.splice(0);
    let i = 0;
    try {
      while (i < waiting.length) {
        const batch = batchOf(this.#db, waiting, i);
        if (batch) {
          let raw: unknown;
          try {
            raw = await this.#db.query(batch.text);
          } finally {
            batchDone(this.#db, batch, raw !== undefined);
          }
          const answers = (Array.isArray(raw) ? raw : [raw]) as Answer[];
          if (answers.length !== batch.owners.length) throw new Error(`this is a bug: ${batch.owners.length} statements sent, ${answers.length} answered`);
          i += batch.count;
          for (let k = 0; k < answers.length; k++) if (batch.owners[k]! >= 0) waiting[batch.owners[k]!]!.answer?.(answers[k]!);
        } else {
          const w = waiting[i]!;
          const a = (await this.#db.query(prepared(w.sql, w.params), w.params)) as unknown as Answer;
          i++;
          w.answer?.(a);
        }
        this.#answered(undefined);
      }
    } catch (e) {
      const failure = this.#failure(e);
      for (const w of waiting.slice(i)) w.fail?.(failure);
      throw failure;
    }
  }

  #answered<A>(answer: A): A {
    answeredAt.set(this.#db, Date.now());
    return answer;
  }

  #failure(e: unknown): Error {
    return (e as { code?: unknown } | null)?.code === CLAIM_LOST ? new ClaimLostError() : toStoreFailure(e, this.url);
  }

  /**
   * A statement whose answer nobody reads: inside a transaction it waits, and goes
   * with the transaction's next message (the next statement read, or the COMMIT); its failure fails
   * that message and so the transaction. One message a transaction, where there were one a statement.
   */
  protected async run(sql: string, params: unknown[]): Promise<void> {
    const tx = this.#tx;
    if (!tx || tx.ended) {
      await this.#answer(sql, params);
      return;
    }
    tx.pending.push({ sql, params });
    if (tx.pending.length >= MOST_WAITING) await this.#flush(tx);
  }

  /**
   * A write that may wait a moment and whose failure costs only time (a claim let go: unsent, it
   * runs out with its lease): it goes in this store's next transaction, which waits for it when
   * it is on its way alone; else on its own after SOON_MS. In a transaction, a write like any.
   */
  protected soon(sql: string, params: unknown[]): Promise<void> {
    if (this.#tx) return this.run(sql, params);
    this.#waitSoon([{ sql, params }]);
    return Promise.resolve();
  }

  #waitSoon(writes: Waiting[]): void {
    let soon = soonOf.get(this.pool);
    if (!soon) soonOf.set(this.pool, (soon = { writes: [], timer: undefined, sending: undefined }));
    soon.writes.unshift(...writes);
    soon.timer ??= setTimeout(() => void this.#sendSoon(), SOON_MS).unref();
  }

  // Never throws: what cannot be written now runs out with its lease.
  async #sendSoon(): Promise<void> {
    const soon = soonOf.get(this.pool);
    if (!soon) return;
    clearTimeout(soon.timer);
    soon.timer = undefined;
    await soon.sending;
    const writes = soon.writes.splice(0);
    if (writes.length === 0) return;
    soon.sending = withReconnect(this.reconnect, this.url, undefined, async () => {
      for (const w of writes) await this.#db.query(prepared(w.sql, w.params), w.params);
    })
      .then(() => undefined)
      .catch(() => undefined)
      .finally(() => {
        soon.sending = undefined;
      });
    await soon.sending;
  }

  async close(): Promise<void> {
    if (this.#tx) throw new Error('this is a bug: a transaction closed the store');
    if (!this.#open) return;
    await this.#sendSoon();
    this.#open = false;
    noteClosed();
    await this.pool.end();
  }

  // A run's store (watchConnection): a transaction whose connection was lost before its COMMIT
  // was sent was rolled back by the server, and runs again once the database is back; so `fn` must
  // be safe to repeat (what it does outside the store: the same again, or nothing).
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    if (this.#tx) return this.#nested(fn, this.#tx);
    return withReconnectTransaction(this.reconnect, this.url, () => this.#transactionOnce(fn));
  }

  async #transactionOnce<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    const sending = soonOf.get(this.pool)?.sending;
    if (sending) await sending; // what waited is written before anything after it reads
    try {
      client = await withReconnect(this.reconnect, this.url, undefined, () => this.pool.connect());
    } catch (e) {
      throw toStoreFailure(e, this.url);
    }
    const state: TxState = { depth: 0, ended: false, pending: [] };
    // A connection the server drops while this transaction holds it (between two statements, or a
    // transaction left idle too long while this process was paused) must not crash the process:
    // the next statement fails and says so.
    const dropped = (): void => undefined;
    client.on('error', dropped);
    const tx = this.onConnection(client, state);
    let broken: unknown;
    let carried: Waiting[] = [];
    try {
      // BEGIN and the writer lock open the transaction's first message. On a connection that has not
      // answered just now they are sent alone, before its function runs: a connection the server
      // dropped fails there, before any write, and the transaction is tried again on another (a
      // failure in its last message, which carries the COMMIT, never is). On one that has, they go
      // with its first statement (a transaction of writes alone: BEGIN to COMMIT in one message).
      await tx.run('BEGIN', []);
      const lock = `SELECT set_config('idle_in_transaction_session_timeout', $2, true), pg_advisory_xact_lock($1)`;
      const lockParams = [WRITER_LOCK, String(idleLimits.get(this.pool) ?? IDLE_IN_TRANSACTION_MS)];
      if (Date.now() - (answeredAt.get(client) ?? 0) < FRESH_MS) await tx.run(lock, lockParams);
      else await tx.rows(lock, lockParams);
      carried = soonOf.get(this.pool)?.writes.splice(0) ?? [];
      state.pending.push(...carried);
      const result = await fn(tx as unknown as Store);
      const committed = await tx.#read('COMMIT', [], (a) => a).catch((e: unknown) => {
        throw Object.assign(e as object, { atCommit: true });
      });
      // A COMMIT of a transaction a failed statement had aborted answers ROLLBACK, with no error:
      // a failure something swallowed on the way. Nothing of it was written, and the caller is told.
      if (committed.command !== 'COMMIT') throw new Error(`the state database rolled the transaction back (its COMMIT answered ${committed.command}): nothing of it was written`);
      return result;
    } catch (e) {
      for (const w of state.pending.splice(0)) w.fail?.(e);
      // What this transaction carried for later waits again: rolled back with it, or never sent.
      if (carried.length > 0) this.#waitSoon(carried);
      await client.query('ROLLBACK').catch((rollbackFailed: unknown) => {
        broken = rollbackFailed;
      });
      throw e;
    } finally {
      state.ended = true;
      client.off('error', dropped);
      client.release(broken instanceof Error ? broken : undefined);
    }
  }

  // A transaction inside a transaction: a savepoint, rolled back alone when its function throws.
  // Its RELEASE is sent at once, with what waits: a failure of its statements is its own.
  async #nested<T>(fn: (tx: Store) => Promise<T>, state: TxState): Promise<T> {
    const name = `nested_${++state.depth}`;
    await this.run(`SAVEPOINT ${name}`, []);
    try {
      const result = await fn(this as unknown as Store);
      await this.rows(`RELEASE SAVEPOINT ${name}`, []);
      return result;
    } catch (e) {
      // What waited goes with the first try; when one of them failed, the second rolls back to the
      // savepoint alone. When even that fails the transaction is aborted, and its COMMIT says so.
      const back = `ROLLBACK TO SAVEPOINT ${name}`;
      await this.rows(back, [])
        .catch(() => this.rows(back, []))
        .catch(() => undefined);
      throw e;
    } finally {
      state.depth--;
    }
  }

  // Several statements as one write: inside a transaction as they are, else in one of their own.
  protected write<T>(fn: (tx: this) => Promise<T>): Promise<T> {
    return this.#tx ? fn(this) : this.transaction((t) => fn(t as unknown as this));
  }
}
