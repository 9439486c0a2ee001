import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import pg from 'pg';
import { checkDatabaseUrl, databaseUrl, redactUrl } from './database-url.js';
import { openDatabase, schemaMigrations } from './open-database.js';
import { appliedSqliteMigrations } from './sqlite-migrate.js';
import { toStoreFailure } from './pg-failure.js';
import { migratePostgres, postgresSchemaState, SCHEMA } from './pg-migrate.js';

export interface SchemaStatus {
  store: 'sqlite' | 'postgres';
  /** The file, or the database URL without its password. */
  location: string;
  applied: { version: number; name: string }[];
  pending: { version: number; name: string }[];
  /** Migrations in the store this build does not know (a newer autonomous-loop made them). */
  unknown: number[];
}

/** `db status`: the store's schema migrations, applied and pending; changes nothing. */
export async function schemaStatus(file: string, url: string | undefined = databaseUrl()): Promise<SchemaStatus> {
  const known = schemaMigrations().map(({ version, name }) => ({ version, name }));
  if (url === undefined) {
    let current = 0;
    let applied = new Set<number>();
    if (existsSync(file)) {
      const db = new Database(file, { readonly: true, fileMustExist: true });
      try {
        current = db.pragma('user_version', { simple: true }) as number;
        applied = appliedSqliteMigrations(db, schemaMigrations());
      } finally {
        db.close();
      }
    }
    const newest = known.at(-1)?.version ?? 0;
    const unknown = [...applied].filter((v) => v > newest);
    return {
      store: 'sqlite',
      location: file,
      applied: known.filter((m) => applied.has(m.version)),
      pending: known.filter((m) => !applied.has(m.version)),
      unknown: unknown.length > 0 ? unknown.sort((a, b) => a - b) : current > newest ? [current] : [],
    };
  }
  checkDatabaseUrl(url);
  const pool = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 10_000 });
  pool.on('error', () => undefined);
  try {
    const state = await postgresSchemaState(pool);
    return {
      store: 'postgres',
      location: `${redactUrl(url)} (schema ${SCHEMA})`,
      applied: state.applied.map(({ version, name }) => ({ version, name })),
      pending: state.pending.map(({ version, name }) => ({ version, name })),
      unknown: state.unknown,
    };
  } catch (e) {
    throw toStoreFailure(e, url);
  } finally {
    await pool.end();
  }
}

/** `db migrate`: applies the pending migrations (as the first connect does); their names. */
export async function migrateSchema(file: string, url: string | undefined = databaseUrl()): Promise<string[]> {
  if (url === undefined) {
    const before = (await schemaStatus(file, undefined)).pending.map((m) => m.name);
    openDatabase(file).close();
    return before;
  }
  checkDatabaseUrl(url);
  const pool = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 10_000 });
  pool.on('error', () => undefined);
  try {
    return await migratePostgres(pool, redactUrl(url));
  } catch (e) {
    throw toStoreFailure(e, url);
  } finally {
    await pool.end();
  }
}
