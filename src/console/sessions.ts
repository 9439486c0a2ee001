import { randomBytes, timingSafeEqual } from 'node:crypto';

export interface Session {
  id: string;
  person: string;
  tokenId: string;
  /** The token every form of this session carries (CSRF). */
  csrf: string;
  expires: number;
  /** What the last decision did, shown once on the next page. */
  flash?: { kind: 'ok' | 'error'; text: string };
}

const LIFETIME_MS = 12 * 3600_000;

/**
 * Console sessions, in this process's memory: a login exchanges a token for one (an HttpOnly,
 * SameSite=Strict cookie holds its id); a restart of `serve` logs everyone out.
 */
export class Sessions {
  readonly #byId = new Map<string, Session>();

  create(person: string, tokenId: string, now = Date.now()): Session {
    const session: Session = { id: randomBytes(32).toString('base64url'), person, tokenId, csrf: randomBytes(32).toString('base64url'), expires: now + LIFETIME_MS };
    this.#byId.set(session.id, session);
    return session;
  }

  get(id: string | undefined, now = Date.now()): Session | undefined {
    if (!id) return undefined;
    const session = this.#byId.get(id);
    if (session && session.expires <= now) this.#byId.delete(id);
    return session && session.expires > now ? session : undefined;
  }

  drop(id: string): void {
    this.#byId.delete(id);
  }

  /** A revoked token: every session it opened ends. */
  dropToken(tokenId: string): void {
    for (const [id, s] of this.#byId) if (s.tokenId === tokenId) this.#byId.delete(id);
  }

  tokenIds(): Set<string> {
    return new Set([...this.#byId.values()].map((s) => s.tokenId));
  }
}

/** Compares two secrets in constant time. */
export function sameSecret(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
