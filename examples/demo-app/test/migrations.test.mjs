import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { appliedMigrations, openDatabase } from '../app/database.mjs';
import { listMigrations, migrateDown, migrateUp } from '../scripts/lib/migrations.mjs';
import { APP_ROOT, readSettings } from '../scripts/lib/settings.mjs';

const dir = mkdtempSync(path.join(os.tmpdir(), 'demo-app-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const settings = readSettings({ DEMO_ENV_DIR: dir });
const quiet = () => {};

function tables() {
  const db = openDatabase(settings.databaseFile, { readonly: true });
  try {
    return db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all().map((r) => r.name);
  } finally {
    db.close();
  }
}

test('every migration goes up and comes back down to an empty schema', () => {
  const source = path.join(APP_ROOT, 'migrations');
  const ids = listMigrations(source).map((m) => m.id);
  assert.deepEqual(migrateUp(settings, source, quiet), { applied: ids, pending: [] });
  assert.deepEqual(tables(), ['item_tags', 'items', 'schema_migrations']);
  assert.deepEqual(migrateDown(settings, { target: ids[0] }, quiet), { applied: [ids[0]] });
  assert.deepEqual(tables(), ['items', 'schema_migrations']);
  assert.deepEqual(migrateDown(settings, { target: '0' }, quiet), { applied: [] });
  assert.deepEqual(tables(), ['schema_migrations']);
});

test('migrating up twice applies nothing the second time', () => {
  const source = path.join(APP_ROOT, 'migrations');
  migrateUp(settings, source, quiet);
  const lines = [];
  migrateUp(settings, source, (line) => lines.push(line));
  assert.deepEqual(lines, []);
  const db = openDatabase(settings.databaseFile, { readonly: true });
  assert.equal(appliedMigrations(db).length, listMigrations(source).length);
  db.close();
  migrateDown(settings, { target: '0' }, quiet);
});
