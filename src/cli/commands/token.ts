import { createConsoleToken, revokeConsoleToken } from '../../gates/console-tokens.js';
import { openRecordStore } from '../../records/open-record-store.js';
import type { Store } from '../../state/store.js';
import { resolveWorkspace } from '../../workspace/paths.js';

interface TokenOptions {
  root: string;
  json: boolean;
}

async function withStore<T>(root: string, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openRecordStore(resolveWorkspace(root));
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** `token create --for ana`: the token, shown once. */
export async function tokenCreateCommand(opts: TokenOptions & { for: string }): Promise<void> {
  const made = await withStore(opts.root, (store) => createConsoleToken(store, opts.for));
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(made)}\n`);
    return;
  }
  process.stdout.write(`token for ${made.person} (id ${made.id}); it is shown only this once, give it to ${made.person}:\n${made.token}\n`);
}

export async function tokenListCommand(opts: TokenOptions): Promise<void> {
  const tokens = (await withStore(opts.root, (store) => store.consoleTokens())).map(({ hash: _hash, ...t }) => t);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ tokens })}\n`);
    return;
  }
  if (tokens.length === 0) {
    process.stdout.write("no console tokens (make one with 'autonomous-loop token create --for <name>')\n");
    return;
  }
  for (const t of tokens) {
    process.stdout.write(`${t.id}  ${t.person.padEnd(16)} made ${t.created_at}  last used ${t.last_used_at ?? 'never'}${t.revoked_at ? `  REVOKED ${t.revoked_at}` : ''}\n`);
  }
}

export async function tokenRevokeCommand(id: string, opts: TokenOptions): Promise<void> {
  const revoked = await withStore(opts.root, (store) => revokeConsoleToken(store, id));
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ revoked: revoked.map((t) => ({ id: t.id, person: t.person })) })}\n`);
    return;
  }
  for (const t of revoked) process.stdout.write(`revoked token ${t.id} of ${t.person}: it logs nobody in, and its console sessions end\n`);
}
