// SQL migrations NNN_name.up.sql / NNN_name.down.sql applied to the environment's SQLite database.
// Each applied migration keeps its down SQL in schema_migrations, so a rollback can undo it
// whichever release is on disk.
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { appliedMigrations, openDatabase } from '../../app/database.mjs';
import { ScriptError } from './settings.mjs';

const UP_FILE = /^(\d+_[A-Za-z0-9_]+)\.up\.sql$/;

/** The migrations in a folder, in order, each with its up and down SQL. */
export function listMigrations(dir) {
  if (!existsSync(dir)) throw new ScriptError(`no migrations folder ${dir}`);
  return readdirSync(dir)
    .map((file) => UP_FILE.exec(file)?.[1])
    .filter((id) => id !== undefined)
    .sort()
    .map((id) => {
      const downFile = path.join(dir, `${id}.down.sql`);
      if (!existsSync(downFile)) throw new ScriptError(`${id}: no ${id}.down.sql beside ${id}.up.sql (every migration must be reversible)`);
      return { id, up: readFileSync(path.join(dir, `${id}.up.sql`), 'utf8'), down: readFileSync(downFile, 'utf8') };
    });
}

function open(settings) {
  mkdirSync(settings.envDir, { recursive: true });
  const db = openDatabase(settings.databaseFile);
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL, down_sql TEXT NOT NULL)');
  return db;
}

/** Applies the folder's migrations not applied yet, each in its own transaction. */
export function migrateUp(settings, dir, log = console.log) {
  const migrations = listMigrations(dir);
  const db = open(settings);
  try {
    const applied = new Set(appliedMigrations(db));
    const record = db.prepare('INSERT INTO schema_migrations (id, applied_at, down_sql) VALUES (?, ?, ?)');
    for (const m of migrations.filter((m) => !applied.has(m.id))) {
      db.transaction(() => {
        db.exec(m.up);
        record.run(m.id, new Date().toISOString(), m.down);
      })();
      log(`applied ${m.id}`);
    }
    return status(db, migrations);
  } finally {
    db.close();
  }
}

/**
 * Undoes applied migrations, newest first: those after `target` (an id to keep, or '0' for all),
 * or else the last `steps` of them.
 */
export function migrateDown(settings, { target, steps }, log = console.log) {
  const db = open(settings);
  try {
    const applied = appliedMigrations(db);
    let undo;
    if (target !== undefined) {
      if (target !== '0' && !applied.includes(target)) throw new ScriptError(`cannot migrate down to ${target}: it is not applied (applied: ${applied.join(', ') || 'none'})`);
      undo = target === '0' ? applied : applied.slice(applied.indexOf(target) + 1);
    } else {
      undo = applied.slice(Math.max(0, applied.length - (steps ?? 1)));
    }
    const find = db.prepare('SELECT down_sql FROM schema_migrations WHERE id = ?');
    const forget = db.prepare('DELETE FROM schema_migrations WHERE id = ?');
    for (const id of [...undo].reverse()) {
      db.transaction(() => {
        db.exec(find.get(id).down_sql);
        forget.run(id);
      })();
      log(`reverted ${id}`);
    }
    return status(db);
  } finally {
    db.close();
  }
}

export function migrationStatus(settings, dir) {
  const migrations = dir && existsSync(dir) ? listMigrations(dir) : undefined;
  if (!existsSync(settings.databaseFile)) return { applied: [], ...(migrations ? { pending: migrations.map((m) => m.id) } : {}) };
  const db = openDatabase(settings.databaseFile, { readonly: true });
  try {
    return status(db, migrations);
  } finally {
    db.close();
  }
}

function status(db, migrations) {
  const applied = appliedMigrations(db);
  return migrations ? { applied, pending: migrations.map((m) => m.id).filter((id) => !applied.includes(id)) } : { applied };
}
