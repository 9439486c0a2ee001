/**
 * A read inside a PostgreSQL transaction whose answer may wait: it goes with the transaction's next
 * message (at the latest its COMMIT), so that a transaction whose reads are taken after it ends is
 * one message. Awaiting it (any `then`, `catch` or `finally`) sends what waits at once: code that
 * needs the answer before going on gets it, as from any read.
 */
export class Later<T> extends Promise<T> {
  // What `then` makes is a plain promise: only the read itself sends on first use.
  static override get [Symbol.species](): PromiseConstructor {
    return Promise;
  }

  #send: (() => void) | undefined;

  /** A read and how to settle it; `send` sends what waits on its connection (called once, at most). */
  static of<T>(send: () => void): { later: Later<T>; resolve: (value: T) => void; reject: (e: unknown) => void } {
    let resolve!: (value: T) => void;
    let reject!: (e: unknown) => void;
    const later = new Later<T>((ok, no) => {
      resolve = ok;
      reject = no;
    });
    later.#send = send;
    // A read nobody awaits (its transaction failed) must not be an unhandled rejection: marked
    // handled through Promise's own `then`, which does not send.
    Promise.prototype.then.call(later, undefined, () => undefined);
    return { later, resolve, reject };
  }

  override then<A = T, B = never>(ok?: ((value: T) => A | PromiseLike<A>) | null, no?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<A | B> {
    const send = this.#send;
    this.#send = undefined;
    send?.();
    return super.then(ok, no);
  }
}
