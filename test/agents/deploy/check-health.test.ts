import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkHealth } from '../../../src/agents/deploy/check-health.js';
import type { HealthCheckConfig } from '../../../src/agents/project-config.js';

const servers: http.Server[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function serve(handler: http.RequestListener): Promise<{ url: string; port: number; hits: () => number }> {
  let hits = 0;
  const server = http.createServer((req, res) => {
    hits++;
    handler(req, res);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/health`, port, hits: () => hits };
}

const check = (over: Partial<HealthCheckConfig>): HealthCheckConfig => ({ expectedStatus: 200, timeoutMs: 1000, retries: 3, backoffMs: 20, ...over });

describe('checkHealth over HTTP', () => {
  it('retries with backoff until the service answers: fails twice, then passes', async () => {
    let n = 0;
    const server = await serve((_, res) => {
      n++;
      res.writeHead(n <= 2 ? 503 : 200).end(n <= 2 ? 'starting' : '{"version":"1.0.0"}');
    });
    const attempts: string[] = [];
    const started = Date.now();
    const result = await checkHealth(check({ url: 'http://127.0.0.1:${PORT}/health', backoffMs: 100 }), {
      variables: { PORT: String(server.port) },
      cwd: os.tmpdir(),
      onAttempt: (i, ok, detail) => attempts.push(`${i} ${ok} ${detail}`),
    });
    expect(result).toMatchObject({ ok: true, attempts: 3, probe: server.url, detail: 'HTTP 200' });
    expect(attempts).toEqual(['1 false HTTP 503 (expected 200): starting', '2 false HTTP 503 (expected 200): starting', '3 true HTTP 200']);
    // Waits 100 ms, then 200 ms: the backoff doubles.
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(server.hits()).toBe(3);
  });

  it('gives up on a service that hangs, each attempt cut at its timeout', async () => {
    const server = await serve(() => {
      // never answers
    });
    const started = Date.now();
    const result = await checkHealth(check({ url: server.url, timeoutMs: 200, retries: 1, backoffMs: 10 }), { variables: {}, cwd: os.tmpdir() });
    expect(result).toMatchObject({ ok: false, attempts: 2, detail: 'no answer within 200 ms' });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(server.hits()).toBe(2);
  });

  it('fails on a 500 after every retry, with the body in the detail', async () => {
    const server = await serve((_, res) => res.writeHead(500).end('{"error":"no such column: priority_level"}'));
    const result = await checkHealth(check({ url: server.url, retries: 2 }), { variables: {}, cwd: os.tmpdir() });
    expect(result).toMatchObject({ ok: false, attempts: 3, detail: 'HTTP 500 (expected 200): {"error":"no such column: priority_level"}' });
    expect(server.hits()).toBe(3);
  });

  it('checks the body holds the expected text (the new version answers, not the old one)', async () => {
    const server = await serve((_, res) => res.writeHead(200).end('{"version":"1.0.0"}'));
    const stale = await checkHealth(check({ url: server.url, retries: 0, bodyContains: '"version":"${VERSION}"' }), { variables: { VERSION: '1.1.0' }, cwd: os.tmpdir() });
    expect(stale).toMatchObject({ ok: false, detail: 'HTTP 200 but the body lacks "\\"version\\":\\"1.1.0\\"": {"version":"1.0.0"}' });
    const fresh = await checkHealth(check({ url: server.url, retries: 0, bodyContains: '"version":"${VERSION}"' }), { variables: { VERSION: '1.0.0' }, cwd: os.tmpdir() });
    expect(fresh.ok).toBe(true);
  });

  it('reports a refused connection', async () => {
    const server = await serve((_, res) => res.end());
    const port = server.port;
    servers[0]?.closeAllConnections();
    await new Promise((resolve) => servers.pop()?.close(resolve));
    const result = await checkHealth(check({ url: `http://127.0.0.1:${port}/health`, retries: 0 }), { variables: {}, cwd: os.tmpdir() });
    expect(result.ok).toBe(false);
    expect(result.detail).toBe(`cannot reach http://127.0.0.1:${port}/health: ECONNREFUSED`);
  });
});

describe('checkHealth with a command', () => {
  it('passes on exit 0, retrying a command that fails first, with the variables in its environment', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'al-health-'));
    dirs.push(dir);
    const script = path.join(dir, 'probe.mjs');
    // Fails until it has run twice: counts its runs in a file.
    writeFileSync(
      script,
      `import { existsSync, readFileSync, writeFileSync } from 'node:fs';
       const f = 'runs'; const n = existsSync(f) ? Number(readFileSync(f, 'utf8')) + 1 : 1; writeFileSync(f, String(n));
       if (process.env.VERSION !== '2.0.0') { console.log('wrong VERSION'); process.exit(3); }
       process.exit(n >= 3 ? 0 : 1);`,
    );
    const result = await checkHealth(check({ command: [process.execPath, script], retries: 3 }), { variables: { VERSION: '2.0.0' }, cwd: dir });
    expect(result).toMatchObject({ ok: true, attempts: 3, detail: 'exit 0' });
    expect(existsSync(path.join(dir, 'runs'))).toBe(true);
  });

  it('cuts a hanging command at the timeout', async () => {
    const result = await checkHealth(check({ command: [process.execPath, '-e', 'setTimeout(() => {}, 60000)'], timeoutMs: 300, retries: 0 }), {
      variables: {},
      cwd: os.tmpdir(),
    });
    expect(result).toMatchObject({ ok: false, attempts: 1, detail: 'no answer within 300 ms' });
  });
});
