/**
 * An async mutex: one holder at a time, the others waiting in order. A release hands the gate
 * straight to the next waiter, so no one slips in between.
 */
export class StoreGate {
  #held = false;
  readonly #waiters: (() => void)[] = [];

  get held(): boolean {
    return this.#held;
  }

  acquire(): Promise<void> {
    if (!this.#held) {
      this.#held = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  release(): void {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#held = false;
  }

  /** Runs a synchronous op once the gate is free, holding it only for the op. */
  async run<T>(op: () => T): Promise<T> {
    await this.acquire();
    try {
      return op();
    } finally {
      this.release();
    }
  }
}
