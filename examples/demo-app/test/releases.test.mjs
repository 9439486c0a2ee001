import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { loadReleases } from '../scripts/lib/release.mjs';
import { APP_ROOT } from '../scripts/lib/settings.mjs';

test('each release lists migrations that exist, up and down', () => {
  for (const [version, release] of Object.entries(loadReleases())) {
    assert.ok(release.migrations.length > 0, version);
    for (const id of release.migrations) {
      assert.ok(existsSync(path.join(APP_ROOT, 'migrations', `${id}.up.sql`)), `${version}: ${id}.up.sql`);
      assert.ok(existsSync(path.join(APP_ROOT, 'migrations', `${id}.down.sql`)), `${version}: ${id}.down.sql`);
    }
  }
});

test('a later release keeps the migrations of the earlier ones', () => {
  const releases = Object.values(loadReleases());
  for (let i = 1; i < releases.length; i++) {
    assert.deepEqual(releases[i].migrations.slice(0, releases[i - 1].migrations.length), releases[i - 1].migrations);
  }
});
