// migrate up | down [--to ID] [--steps N] | status
// up applies the migrations of the release VERSION (or of MIGRATIONS_PATH when no VERSION is
// given); down undoes them to MIGRATE_TARGET (an id to keep, 0 for none) or by MIGRATE_STEPS.
// Every run ends with one JSON line: {"applied": [...], "pending": [...]}.
import path from 'node:path';
import { migrateDown, migrateUp, migrationStatus } from './lib/migrations.mjs';
import { releaseDir } from './lib/release.mjs';
import { ScriptError, readSettings, runScript } from './lib/settings.mjs';

function migrationsDir(settings) {
  if (settings.version) return path.join(releaseDir(settings, settings.version), 'migrations');
  if (process.env.MIGRATIONS_PATH) return path.resolve(process.env.MIGRATIONS_PATH);
  return undefined;
}

function option(args, name) {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

await runScript(() => {
  const [action, ...args] = process.argv.slice(2);
  const settings = readSettings();
  const dir = migrationsDir(settings);
  let state;
  if (action === 'up') {
    if (!dir) throw new ScriptError('migrate up: set VERSION (a built release) or MIGRATIONS_PATH');
    state = migrateUp(settings, dir);
  } else if (action === 'down') {
    const target = option(args, '--to') ?? (process.env.MIGRATE_TARGET || undefined);
    const stepsText = option(args, '--steps') ?? (process.env.MIGRATE_STEPS || undefined);
    const steps = stepsText === undefined ? undefined : Number(stepsText);
    if (steps !== undefined && !(Number.isInteger(steps) && steps >= 0)) throw new ScriptError(`migrate down: --steps ${stepsText} is not a count`);
    state = migrateDown(settings, { target, steps });
  } else if (action === 'status') {
    state = migrationStatus(settings, dir);
  } else {
    throw new ScriptError('usage: migrate.mjs up | down [--to ID] [--steps N] | status');
  }
  console.log(JSON.stringify(state));
});
