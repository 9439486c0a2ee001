import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { packageRoot } from '../workspace/paths.js';
import { StoreUnavailable } from './pg-failure.js';

/** Our tables live in their own schema: a database shared with an application keeps them apart. */
export const SCHEMA = 'autonomous_loop';
// Held while migrating: two processes connecting to a new database at once migrate it once.
const MIGRATION_LOCK = 0x616c_6d67; // 'almg'

export interface SchemaMigration {
  version: number;
  name: string;
  sql: string;
}

/** The numbered SQL files of the Postgres schema, in order (beside SQLite's). */
export function postgresMigrations(): SchemaMigration[] {
  const dir = path.join(packageRoot(), 'src', 'state', 'migrations-pg');
  return readdirSync(dir)
    .filter((f) => /^\d{3}_.+\.sql$/.test(f))
    .sort()
    .map((name) => ({ version: Number(name.slice(0, 3)), name, sql: readFileSync(path.join(dir, name), 'utf8') }));
}

export interface SchemaState {
  applied: { version: number; name: string; applied_at: string }[];
  pending: SchemaMigration[];
  /** Versions in the database this build does not know (a newer autonomous-loop migrated it). */
  unknown: number[];
}

/** What is applied and what is pending; reads only (no schema is created). */
export async function postgresSchemaState(db: pg.Pool | pg.PoolClient): Promise<SchemaState> {
  const exists = await db.query(`SELECT to_regclass('${SCHEMA}.schema_migrations') AS t`);
  const applied = exists.rows[0]?.t
    ? ((await db.query(`SELECT version, name, applied_at::text AS applied_at FROM ${SCHEMA}.schema_migrations ORDER BY version`)).rows as SchemaState['applied'])
    : [];
  const known = postgresMigrations();
  const done = new Set(applied.map((a) => a.version));
  const knownVersions = new Set(known.map((m) => m.version));
  return { applied, pending: known.filter((m) => !done.has(m.version)), unknown: applied.map((a) => a.version).filter((v) => !knownVersions.has(v)) };
}

/** Applies the pending migrations under an advisory lock, each in its own transaction; returns their names. */
export async function migratePostgres(pool: pg.Pool, url?: string): Promise<string[]> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${SCHEMA}.schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
      const state = await postgresSchemaState(client);
      if (state.unknown.length > 0) {
        throw new StoreUnavailable(
          `${url ?? 'the state database'}: its schema is newer than this autonomous-loop knows (migration ${state.unknown.join(', ')}); upgrade autonomous-loop`,
          'PG_NEWER_SCHEMA',
        );
      }
      for (const m of state.pending) {
        await client.query('BEGIN');
        try {
          await client.query(`SET LOCAL search_path = ${SCHEMA}`);
          await client.query(m.sql);
          await client.query(`INSERT INTO ${SCHEMA}.schema_migrations (version, name) VALUES ($1, $2)`, [m.version, m.name]);
          await client.query('COMMIT');
        } catch (e) {
          await client.query('ROLLBACK');
          throw e;
        }
      }
      return state.pending.map((m) => m.name);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}
