import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { findBin } from './postgres-cluster.js';
import { databaseForFolder, onPostgres } from './test-store.js';

/** What a test does with the store underneath: prepared statements, `?` parameters (both stores' tables have the same names and columns). */
export interface StateDb {
  prepare(sql: string): { get(...params: unknown[]): unknown; all(...params: unknown[]): unknown[]; run(...params: unknown[]): unknown };
}

/**
 * The workspace's store opened directly, for a test to look at (or plant) rows the way a loop
 * elsewhere left them. The code under test goes through the store; tests look underneath. On
 * SQLite that is .aibrain/state.db; under TEST_STORE=postgres the workspace's own database, read
 * with psql (synchronously, as the SQLite handle is).
 */
export function withStateDb<T>(ws: string, fn: (db: StateDb) => T): T {
  if (onPostgres()) return fn(psqlDb(databaseForFolder(ws)!));
  const db = new Database(path.join(ws, '.aibrain', 'state.db'), { timeout: 10_000 });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

function literal(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  return `'${String(v).replace(/'/g, "''")}'`;
}

function bind(sql: string, params: unknown[]): string {
  let i = 0;
  return sql.replace(/\?/g, () => literal(params[i++]));
}

function psql(url: string, sql: string): string {
  const u = new URL(url);
  const r = spawnSync(findBin('psql'), ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-h', u.hostname, '-p', u.port, '-U', decodeURIComponent(u.username), '-d', u.pathname.slice(1), '-c', sql], {
    env: { ...process.env, PGPASSWORD: decodeURIComponent(u.password), PGOPTIONS: '-c search_path=autonomous_loop,public' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (r.status !== 0) throw new Error(`psql: ${sql}\n${r.stderr || r.error?.message}`);
  return r.stdout;
}

// SQLite hands booleans back as 0/1: so do these rows, so one assertion reads both stores.
const asSqlite = (row: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'boolean' ? Number(v) : v]));

function psqlDb(url: string): StateDb {
  return {
    prepare: (sql) => {
      const rows = (params: unknown[]): Record<string, unknown>[] => {
        const out = psql(url, `SELECT coalesce(json_agg(t), '[]'::json) FROM (${bind(sql, params)}) t`).trim();
        return (JSON.parse(out) as Record<string, unknown>[]).map(asSqlite);
      };
      return {
        all: (...params) => rows(params),
        get: (...params) => rows(params)[0],
        run: (...params) => {
          psql(url, bind(sql, params));
          return {};
        },
      };
    },
  };
}

/** Everything the workspace's store holds, as bytes to search (state.db's file; the database's pg_dump --data-only). */
export function stateBytes(ws: string): Buffer {
  if (!onPostgres()) return readFileSync(path.join(ws, '.aibrain', 'state.db'));
  const u = new URL(databaseForFolder(ws)!);
  const r = spawnSync(findBin('pg_dump'), ['--data-only', '-h', u.hostname, '-p', u.port, '-U', decodeURIComponent(u.username), u.pathname.slice(1)], {
    env: { ...process.env, PGPASSWORD: decodeURIComponent(u.password) },
    maxBuffer: 1 << 28,
  });
  if (r.status !== 0) throw new Error(`pg_dump: ${r.stderr.toString()}`);
  return r.stdout;
}
