import { createHash, randomBytes } from 'node:crypto';
import { InputError } from '../errors.js';
import type { ConsoleTokenRow, Store } from '../state/store.js';

// A console token says who a person is at the console: `alc_<id>_<secret>`, 256 random bits.
// Only its sha-256 is kept (a high-entropy secret needs no slow hash), so a copy of the store
// logs nobody in.
const TOKEN = /^alc_([0-9a-f]{12})_[A-Za-z0-9_-]{43}$/;
const PERSON = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

export function hashConsoleToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A new token for `person`: stored hashed, returned once. */
export async function createConsoleToken(store: Store, person: string): Promise<{ id: string; person: string; token: string }> {
  const name = person.trim();
  if (!PERSON.test(name)) throw new InputError(`token create: --for ${JSON.stringify(person)}: expected a person's name (letters, digits, . _ @ -; up to 64), as the contract's approvers name them`);
  const id = randomBytes(6).toString('hex');
  const token = `alc_${id}_${randomBytes(32).toString('base64url')}`;
  await store.saveConsoleToken({ id, person: name, hash: hashConsoleToken(token), created_at: new Date().toISOString() });
  return { id, person: name, token };
}

/** The person a token names, when it is well formed, known and not revoked (its use stamped). */
export async function personOfToken(store: Store, token: string): Promise<ConsoleTokenRow | undefined> {
  const given = token.trim();
  if (!TOKEN.test(given)) return undefined;
  return store.useConsoleToken(hashConsoleToken(given));
}

/** `token revoke ID`: the id as `token list` shows it (a prefix of 4 or more characters will do). */
export async function revokeConsoleToken(store: Store, id: string): Promise<ConsoleTokenRow[]> {
  const prefix = id.trim().toLowerCase();
  if (!/^[0-9a-f]{4,12}$/.test(prefix)) throw new InputError(`token revoke: ${JSON.stringify(id)}: expected a token id as 'token list' shows it (4 to 12 hex characters)`);
  const matching = (await store.consoleTokens()).filter((t) => t.id.startsWith(prefix) && t.revoked_at === null);
  if (matching.length === 0) throw new InputError(`token revoke: no unrevoked token with id ${prefix} (see 'autonomous-loop token list')`);
  if (matching.length > 1) throw new InputError(`token revoke: ${prefix} names ${matching.length} tokens (${matching.map((t) => t.id).join(', ')}): give more of the id`);
  await store.revokeConsoleToken(prefix);
  return matching;
}
