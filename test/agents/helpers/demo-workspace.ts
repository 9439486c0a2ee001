import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveWorkspace, type Workspace } from '../../../src/workspace/paths.js';
import { freePort } from '../../helpers/ports.js';
import { databaseForWorkspace, dropWorkspaceDatabases, onPostgres } from '../../helpers/test-store.js';

export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
export const demoAppPath = path.join(repoRoot, 'examples', 'demo-app');
export const demoYaml = path.join(repoRoot, 'examples', 'demo', 'governance', 'projects', 'demo.yaml');
const sqliteModule = createRequire(import.meta.url).resolve('better-sqlite3');

/** A copy of the demo app inside the workspace (to add migrations to it), with the given extra files. */
export function copyDemoApp(ws: Workspace, files: Record<string, string> = {}): string {
  const app = path.join(ws.root, 'app');
  cpSync(demoAppPath, app, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(app, name), text);
  return app;
}

const made: string[] = [];

/** A temporary workspace; `removeDemoWorkspaces` stops its services and deletes it. */
export function makeTempWorkspace(prefix = 'al-agents-'): Workspace {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  mkdirSync(path.join(dir, 'governance', 'projects'), { recursive: true });
  mkdirSync(path.join(dir, 'tasks'), { recursive: true });
  made.push(dir);
  // Under TEST_STORE=postgres the workspace's store is a database of its own, in-process and in its CLI runs alike.
  if (onPostgres()) databaseForWorkspace(dir);
  return resolveWorkspace(dir);
}

/**
 * The shipped demo.yaml, with the project path pointing at the real examples/demo-app and the
 * given ports: the demo as a user runs it, on ports no other test uses, and with a shorter wait
 * between health check attempts (a failing check gives up in a second instead of four).
 */
export function writeDemoProject(
  ws: Workspace,
  project: string,
  ports: { development: number; staging: number; production: number },
  edit: (yaml: string) => string = (y) => y,
  appPath: string = demoAppPath,
): string {
  let yaml = readFileSync(demoYaml, 'utf8')
    .replace(/^path: .*$/m, `path: ${JSON.stringify(appPath)}`)
    .replace(/(development:\n\s+port:) \d+/, `$1 ${ports.development}`)
    .replace(/(staging:\n\s+port:) \d+/, `$1 ${ports.staging}`)
    .replace(/(production:\n\s+port:) \d+/, `$1 ${ports.production}`)
    .replace(/backoff_seconds: [\d.]+/, 'backoff_seconds: 0.05');
  if (appPath !== demoAppPath) {
    // A copy outside this repository does not find its node_modules by walking up.
    yaml = yaml.replace(/^(\s+)DEMO_ENV_DIR: (.*)$/m, `$1DEMO_ENV_DIR: $2\n$1DEMO_SQLITE_MODULE: ${JSON.stringify(sqliteModule)}`);
  }
  yaml = edit(yaml);
  const file = path.join(ws.governanceDir, 'projects', `${project}.yaml`);
  writeFileSync(file, yaml);
  return file;
}

export async function demoPorts(): Promise<{ development: number; staging: number; production: number }> {
  return { development: await freePort(), staging: await freePort(), production: await freePort() };
}

/** Stops every service a demo deployment started in the workspace, by its pid file. */
export async function stopServices(root: string): Promise<void> {
  const envs = path.join(root, '.aibrain', 'envs');
  if (!existsSync(envs)) return;
  for (const env of readdirSync(envs)) {
    const pidFile = path.join(envs, env, 'app.pid');
    if (!existsSync(pidFile)) continue;
    const { pid } = JSON.parse(readFileSync(pidFile, 'utf8')) as { pid: number };
    await killAndWait(pid);
    rmSync(pidFile, { force: true });
  }
}

async function killAndWait(pid: number): Promise<void> {
  const alive = (): boolean => {
    try {
      process.kill(pid, 0);
    } catch {
      return false;
    }
    try {
      return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  // Only a demo server this test started: a pid file can outlive its process.
  if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('server.mjs')) return;
  process.kill(pid, 'SIGKILL');
  for (let i = 0; i < 100 && alive(); i++) await new Promise((r) => setTimeout(r, 20));
}

export async function removeDemoWorkspaces(): Promise<void> {
  for (const dir of made.splice(0)) {
    await stopServices(dir);
    rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
    dropWorkspaceDatabases(dir);
  }
}

/** GET a URL: status and parsed JSON body (or text). */
export async function getJson(url: string): Promise<{ status: number; body: any }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) };
  } catch {
    return { status: response.status, body: text };
  }
}

/** The pid the environment's pid file names, if a service runs there. */
export function runningPid(root: string, environment: string): number | undefined {
  const pidFile = path.join(root, '.aibrain', 'envs', environment, 'app.pid');
  if (!existsSync(pidFile)) return undefined;
  return (JSON.parse(readFileSync(pidFile, 'utf8')) as { pid: number }).pid;
}
