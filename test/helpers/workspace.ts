import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { databaseForWorkspace, dropWorkspaceDatabases, onPostgres, storeEnv } from './test-store.js';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const cliPath = path.join(repoRoot, 'dist', 'src', 'cli', 'main.js');
export const fixture = (name: string): string => path.join(repoRoot, 'test', 'fixtures', 'agents', name);

const made: string[] = [];

/** A fresh workspace folder, removed after the test file. */
export function makeWorkspace(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'al-test-'));
  mkdirSync(path.join(dir, 'tasks'), { recursive: true });
  made.push(dir);
  // Under TEST_STORE=postgres the workspace's store is a database of its own (see test-store.ts).
  if (onPostgres()) databaseForWorkspace(dir);
  return dir;
}

export function removeWorkspaces(): void {
  // Retried: a child process ending as the test ends may still be renaming a file into the folder.
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
  dropWorkspaceDatabases();
}

export function writeQueue(ws: string, project: string, queue: unknown): string {
  const file = path.join(ws, 'tasks', `work_queue_${project}.json`);
  writeFileSync(file, typeof queue === 'string' ? queue : `${JSON.stringify(queue, null, 2)}\n`);
  return file;
}

export function readJson<T = any>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** The workspace's decision records, one per line of .aibrain/decisions.jsonl ([] before the first). */
export function readDecisions(ws: string): Record<string, any>[] {
  const file = path.join(ws, '.aibrain', 'decisions.jsonl');
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The real CLI, in a child process, with no terminal. */
export function runCli(args: string[], options: { cwd: string; env?: Record<string, string>; input?: string; timeoutMs?: number }): CliResult {
  const r = spawnSync(process.execPath, [cliPath, ...args], {
    cwd: options.cwd,
    env: { ...process.env, CI: '1', ...storeEnv(options.cwd, options.env), ...options.env },
    input: options.input ?? '',
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The real CLI started in the background (for kill -9, Ctrl-C and two-at-once tests). */
export function startCli(args: string[], options: { cwd: string; env?: Record<string, string> }): ChildProcess & { output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [cliPath, ...args], { cwd: options.cwd, env: { ...process.env, CI: '1', ...storeEnv(options.cwd, options.env), ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return Object.assign(child, { output: () => out, exited });
}

/** Whether a process with this pid exists (signal 0). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function waitFor(predicate: () => boolean, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A command task that runs one of the fixture agents with node. */
export function nodeTask(id: string, script: string, extra: Record<string, unknown> = {}, args: string[] = []): Record<string, unknown> {
  return { id, description: `task ${id}`, agent_type: 'command', command: [process.execPath, fixture(script), ...args], ...extra };
}

/** Every file under dir, at any depth. */
export function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? listFiles(p) : [p];
  });
}
