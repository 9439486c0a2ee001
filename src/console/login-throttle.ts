/**
 * Slows down guessing at the login: after FREE failures from one address, each further attempt
 * must wait twice as long as the one before (5 s, 10 s, 20 s … up to 15 minutes) since the last
 * try; an attempt sooner is refused (429) without looking at the token, and waits anew. All addresses together
 * get GLOBAL failures a minute. A success clears the address.
 */
const FREE = 5;
const MAX_WAIT_MS = 15 * 60_000;
const GLOBAL = 100;

interface Failures {
  count: number;
  last: number;
}

export class LoginThrottle {
  readonly #byAddress = new Map<string, Failures>();
  #recent: number[] = [];

  /** Milliseconds this address must still wait, or 0. A try while it must wait starts the wait again. */
  waitFor(address: string, now = Date.now()): number {
    this.#recent = this.#recent.filter((t) => now - t < 60_000);
    if (this.#recent.length >= GLOBAL) return 60_000 - (now - (this.#recent[0] ?? now));
    const f = this.#byAddress.get(address);
    if (!f || f.count < FREE) return 0;
    const wait = Math.min(MAX_WAIT_MS, 5000 * 2 ** (f.count - FREE));
    const left = f.last + wait - now;
    if (left <= 0) return 0;
    f.last = now;
    return wait;
  }

  failed(address: string, now = Date.now()): void {
    const f = this.#byAddress.get(address) ?? { count: 0, last: now };
    this.#byAddress.set(address, { count: f.count + 1, last: now });
    this.#recent.push(now);
    if (this.#byAddress.size > 10_000) this.#byAddress.delete(this.#byAddress.keys().next().value ?? '');
  }

  succeeded(address: string): void {
    this.#byAddress.delete(address);
  }
}
