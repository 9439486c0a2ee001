// What the scripts are told through their environment (autonomous-loop sets VERSION, ENVIRONMENT,
// PROJECT, PORT and the project file's env entries), and the paths that follow from it.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const APP_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export class ScriptError extends Error {}

export function readSettings(env = process.env) {
  const envDir = env.DEMO_ENV_DIR;
  if (!envDir) throw new ScriptError('DEMO_ENV_DIR is not set (the folder of this environment, e.g. .aibrain/envs/development)');
  const dir = path.resolve(envDir);
  return {
    envDir: dir,
    environment: env.ENVIRONMENT || path.basename(dir),
    version: env.VERSION || undefined,
    port: env.PORT ? Number(env.PORT) : undefined,
    releasesDir: path.join(dir, 'releases'),
    databaseFile: path.join(dir, 'app.db'),
    pidFile: path.join(dir, 'app.pid'),
    readyFile: path.join(dir, 'ready.json'),
    logFile: path.join(dir, 'app.log'),
  };
}

export function requireVersion(settings) {
  if (!settings.version) throw new ScriptError('VERSION is not set');
  if (!/^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/.test(settings.version)) throw new ScriptError(`VERSION ${JSON.stringify(settings.version)} is not a version`);
  return settings.version;
}

export function requirePort(settings) {
  const port = settings.port;
  if (port === undefined || !Number.isInteger(port) || port < 1 || port > 65535) throw new ScriptError('PORT is not set to a port number');
  return port;
}

/** Runs a script's main, printing its error as one line and exiting 1 (2 for bad settings). */
export async function runScript(main) {
  try {
    await main();
  } catch (error) {
    console.error(`demo: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = error instanceof ScriptError ? 2 : 1;
  }
}
