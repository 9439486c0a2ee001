// The demo service: one release of it, started from its release folder. It answers
//   GET /health  200 with its version and migration state, or 500/503 when it cannot serve
//   GET /items   the items, as this release reads them
//   GET /        one line saying who it is
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { appliedMigrations, openDatabase } from './database.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const release = JSON.parse(readFileSync(path.join(here, 'release.json'), 'utf8'));
const port = Number(process.env.PORT);
const databaseFile = process.env.DEMO_DATABASE;
const environment = process.env.ENVIRONMENT ?? 'unknown';
const readyFile = process.env.DEMO_READY_FILE;

if (!Number.isInteger(port) || port < 1 || !databaseFile) {
  console.error('server: PORT and DEMO_DATABASE must be set');
  process.exit(2);
}

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

function send(res, status, body) {
  const text = typeof body === 'string' ? `${body}\n` : JSON.stringify(body);
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' });
  res.end(text);
}

function health() {
  let db;
  try {
    db = openDatabase(databaseFile, { readonly: true });
  } catch (error) {
    return [503, { status: 'failing', version: release.version, environment, error: `database: ${error.message}` }];
  }
  try {
    const applied = appliedMigrations(db);
    const pending = release.migrations.filter((id) => !applied.includes(id));
    const migrations = { applied, pending };
    if (pending.length > 0) {
      return [503, { status: 'failing', version: release.version, environment, migrations, error: `schema behind: ${pending.join(', ')} not applied` }];
    }
    db.prepare(release.health_query).all();
    return [200, { status: 'ok', version: release.version, environment, migrations }];
  } catch (error) {
    return [500, { status: 'failing', version: release.version, environment, error: error.message }];
  } finally {
    db.close();
  }
}

function items() {
  const db = openDatabase(databaseFile, { readonly: true });
  try {
    return db.prepare(release.items_query).all();
  } finally {
    db.close();
  }
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  try {
    if (req.method !== 'GET') return send(res, 405, 'GET only');
    if (url.pathname === '/health') {
      const [status, body] = health();
      return send(res, status, body);
    }
    if (url.pathname === '/items') return send(res, 200, items());
    if (url.pathname === '/') return send(res, 200, `demo-app ${release.version} (${environment})`);
    return send(res, 404, 'not found');
  } catch (error) {
    console.error(error);
    return send(res, 500, { error: error.message });
  }
});

// A client that stalls cannot hold a connection for long.
server.requestTimeout = 10_000;
server.headersTimeout = 5_000;
server.keepAliveTimeout = 2_000;

server.on('error', (error) => {
  console.error(`server: cannot listen on 127.0.0.1:${port}: ${error.message}`);
  process.exit(1);
});

server.listen(port, '127.0.0.1', () => {
  console.log(`demo-app ${release.version} (${environment}) listening on http://127.0.0.1:${port} (pid ${process.pid})`);
  if (readyFile) writeFileSync(readyFile, JSON.stringify({ pid: process.pid, port, version: release.version }));
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    console.log(`demo-app ${release.version}: ${signal}, stopping`);
    server.close(() => process.exit(0));
    server.closeAllConnections();
    setTimeout(() => process.exit(0), 2000).unref();
  });
}
