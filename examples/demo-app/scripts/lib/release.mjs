// A release folder holds what one version of the app is: its code, its migrations, and
// release.json (its version, migrations and queries, from releases.json).
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { APP_ROOT, ScriptError } from './settings.mjs';

export function loadReleases() {
  return JSON.parse(readFileSync(path.join(APP_ROOT, 'releases.json'), 'utf8')).releases;
}

export function releaseDir(settings, version) {
  return path.join(settings.releasesDir, version);
}

export function isBuilt(settings, version) {
  return existsSync(path.join(releaseDir(settings, version), 'release.json'));
}

/** Assembles releases/<version>/ from the source tree; replaces an earlier build of it. */
export function buildRelease(settings, version) {
  const releases = loadReleases();
  const release = releases[version];
  if (!release) throw new ScriptError(`unknown version ${version}: releases.json has ${Object.keys(releases).join(', ')}`);
  mkdirSync(settings.releasesDir, { recursive: true });
  const target = releaseDir(settings, version);
  const staging = `${target}.build-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  cpSync(path.join(APP_ROOT, 'app'), staging, { recursive: true });
  mkdirSync(path.join(staging, 'migrations'));
  for (const id of release.migrations) {
    for (const direction of ['up', 'down']) {
      const file = `${id}.${direction}.sql`;
      cpSync(path.join(APP_ROOT, 'migrations', file), path.join(staging, 'migrations', file));
    }
  }
  writeFileSync(path.join(staging, 'release.json'), `${JSON.stringify({ version, built_at: new Date().toISOString(), ...release }, null, 2)}\n`);
  const old = `${target}.old-${process.pid}`;
  if (existsSync(target)) renameSync(target, old);
  renameSync(staging, target);
  rmSync(old, { recursive: true, force: true });
  return target;
}
