import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { inject, it, type TestContext } from 'vitest';
import { findBin } from './postgres-cluster.js';
import './provided-context.js';

/**
 * Which store the suite runs against: SQLite (`.aibrain/state.db`, the default) or PostgreSQL
 * (`TEST_STORE=postgres`, `npm run test:pg`). Under PostgreSQL every test workspace gets a database
 * of its own on the global setup's cluster, copied from a migrated template (fast), and every CLI
 * child process started through the helpers gets AUTONOMOUS_LOOP_DATABASE_URL for it.
 */
export type TestStore = 'sqlite' | 'postgres';

export function testStore(): TestStore {
  const v = process.env.TEST_STORE?.trim().toLowerCase();
  if (v === undefined || v === '' || v === 'sqlite') return 'sqlite';
  if (v === 'postgres' || v === 'pg' || v === 'postgresql') return 'postgres';
  throw new Error(`TEST_STORE: expected sqlite or postgres, got '${v}'`);
}

export const onPostgres = (): boolean => testStore() === 'postgres';

/** The template every workspace database is copied from (made and migrated by the global setup). */
export const TEMPLATE_DATABASE = 'al_template';

const databases = new Map<string, string>();
// The URL this harness put into process.env (the newest workspace's): one a test set itself wins.
let harnessUrl: string | undefined;
const testSetUrl = (): boolean => process.env.AUTONOMOUS_LOOP_DATABASE_URL !== undefined && process.env.AUTONOMOUS_LOOP_DATABASE_URL !== harnessUrl;

/**
 * The database URL a folder's CLI runs use under TEST_STORE=postgres: the database of the workspace
 * that holds the folder, made on first use. Undefined on SQLite.
 */
export function databaseForFolder(dir: string): string | undefined {
  if (!onPostgres()) return undefined;
  const resolved = path.resolve(dir);
  let best: string | undefined;
  for (const ws of databases.keys()) if ((resolved === ws || resolved.startsWith(`${ws}${path.sep}`)) && (best === undefined || ws.length > best.length)) best = ws;
  return best === undefined ? databaseForWorkspace(resolved) : databases.get(best);
}

/** A fresh database for a workspace (CREATE DATABASE … TEMPLATE al_template), remembered for its folder. */
export function databaseForWorkspace(ws: string): string {
  const resolved = path.resolve(ws);
  const known = databases.get(resolved);
  if (known) return known;
  const url = new URL(inject('postgresUrl'));
  const name = `w_${randomBytes(6).toString('hex')}`;
  const r = spawnSync(findBin('createdb'), ['-h', url.hostname, '-p', url.port, '-U', decodeURIComponent(url.username), '-T', TEMPLATE_DATABASE, name], {
    env: { ...process.env, PGPASSWORD: decodeURIComponent(url.password) },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(`createdb ${name} (template ${TEMPLATE_DATABASE}) failed: ${r.stderr || r.error?.message}`);
  url.pathname = `/${name}`;
  databases.set(resolved, url.toString());
  // In-process runs (runLoop, openStore without a URL) read the variable: the newest workspace's,
  // unless the test set a database of its own (several machines on one database).
  if (!testSetUrl()) process.env.AUTONOMOUS_LOOP_DATABASE_URL = harnessUrl = url.toString();
  return url.toString();
}

/** Drops the workspaces' databases (after the test file; the cluster is thrown away anyway), or the one of `only`. */
export function dropWorkspaceDatabases(only?: string): void {
  if (databases.size === 0) return;
  const url = new URL(inject('postgresUrl'));
  for (const [ws, db] of [...databases]) {
    if (only !== undefined && ws !== path.resolve(only)) continue;
    databases.delete(ws);
    if (process.env.AUTONOMOUS_LOOP_DATABASE_URL === db && db === harnessUrl) delete process.env.AUTONOMOUS_LOOP_DATABASE_URL;
    const name = new URL(db).pathname.slice(1);
    spawnSync(findBin('dropdb'), ['--force', '--if-exists', '-h', url.hostname, '-p', url.port, '-U', decodeURIComponent(url.username), name], {
      env: { ...process.env, PGPASSWORD: decodeURIComponent(url.password) },
      timeout: 60_000,
    });
  }
  if (only === undefined && !testSetUrl()) delete process.env.AUTONOMOUS_LOOP_DATABASE_URL;
}

/** The env a CLI child started in `cwd` gets: AUTONOMOUS_LOOP_DATABASE_URL under TEST_STORE=postgres (a test's own setting, in `env` or process.env, wins). */
export function storeEnv(cwd: string, env: Record<string, string | undefined> = {}): Record<string, string> {
  // A database the test set in process.env is every child's, as it is on SQLite (children inherit it).
  const url = 'AUTONOMOUS_LOOP_DATABASE_URL' in env || testSetUrl() ? undefined : databaseForFolder(cwd);
  return url === undefined ? {} : { AUTONOMOUS_LOOP_DATABASE_URL: url };
}

/**
 * A test that is about the SQLite file by nature (it reads, plants or damages .aibrain/state.db, or
 * the single-runner file lock): skipped under TEST_STORE=postgres, the reason in its name.
 */
export function itSqliteOnly(reason: string): (name: string, fn: (ctx: TestContext) => unknown, timeout?: number) => void {
  return (name, fn, timeout) => it.skipIf(onPostgres())(`${name} [SQLite only: ${reason}]`, fn as (ctx: TestContext) => Promise<void>, timeout);
}
