import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { openRecordStore } from '../records/open-record-store.js';
import { resolveWorkspace } from '../workspace/paths.js';
import { createConsoleApp } from './console-app.js';
import { LiveStatus } from './live-status.js';
import { LoginThrottle } from './login-throttle.js';
import { Sessions } from './sessions.js';

export interface RunningConsole {
  url: string;
  close(): Promise<void>;
}

/** Starts the console over the workspace's store (SQLite, or PostgreSQL by its URL); resolves once it listens. */
export async function startConsole(opts: { root: string; host: string; port: number; liveIntervalMs?: number }): Promise<RunningConsole> {
  const store = await openRecordStore(resolveWorkspace(opts.root));
  const live = new LiveStatus(store, opts.liveIntervalMs);
  const app = createConsoleApp({ root: resolveWorkspace(opts.root).root, store, sessions: new Sessions(), throttle: new LoginThrottle(), live });
  try {
    const server = await new Promise<Server>((resolve, reject) => {
      const s = serve({ fetch: app.fetch, hostname: opts.host, port: opts.port }, () => resolve(s as Server));
      s.once('error', reject);
    });
    const address = server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return {
      url: `http://${host}:${address.port}`,
      async close() {
        live.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await store.close();
      },
    };
  } catch (e) {
    live.close();
    await store.close();
    throw e;
  }
}
