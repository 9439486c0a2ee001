// Starts a release as a detached process on the environment's loopback port and stops it again,
// by the pid file the start wrote.
import { spawn } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sqliteModulePath } from '../../app/database.mjs';
import { isBuilt, releaseDir } from './release.mjs';
import { ScriptError } from './settings.mjs';

const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

export function readPidFile(settings) {
  try {
    return JSON.parse(readFileSync(settings.pidFile, 'utf8'));
  } catch {
    return undefined;
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return error.code === 'EPERM';
  }
  // An exited process nobody has reaped yet still answers signal 0.
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

// A pid file can outlive its process and the pid be reused: only signal a process that is ours.
function isOurServer(pid) {
  if (!isAlive(pid)) return false;
  const cmdline = `/proc/${pid}/cmdline`;
  if (!existsSync(cmdline)) return true;
  return readFileSync(cmdline, 'utf8').includes('server.mjs');
}

/** Stops the environment's running release, if any. Returns what was stopped. */
export async function stopService(settings) {
  const running = readPidFile(settings);
  if (!running) return undefined;
  if (isOurServer(running.pid)) {
    process.kill(running.pid, 'SIGTERM');
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    while (isAlive(running.pid) && Date.now() < deadline) await sleep(50);
    if (isAlive(running.pid)) {
      process.kill(running.pid, 'SIGKILL');
      for (let i = 0; i < 100 && isAlive(running.pid); i++) await sleep(20);
    }
  }
  rmSync(settings.pidFile, { force: true });
  return running;
}

/** Starts releases/<version>/ on the port and waits until it listens. */
export async function startService(settings, version, port) {
  if (!isBuilt(settings, version)) throw new ScriptError(`release ${version} is not built in ${settings.releasesDir} (run the build command first)`);
  const dir = releaseDir(settings, version);
  mkdirSync(settings.envDir, { recursive: true });
  rmSync(settings.readyFile, { force: true });
  const log = openSync(settings.logFile, 'a');
  const sqlite = sqliteModulePath();
  const child = spawn(process.execPath, [path.join(dir, 'server.mjs')], {
    cwd: dir,
    detached: true,
    stdio: ['ignore', log, log],
    env: { ...process.env, PORT: String(port), ENVIRONMENT: settings.environment, DEMO_DATABASE: settings.databaseFile, DEMO_READY_FILE: settings.readyFile, DEMO_SQLITE_MODULE: sqlite },
  });
  closeSync(log);
  let exited = null;
  child.on('exit', (code, signal) => {
    exited = signal ?? code;
  });
  child.unref();
  writeFileSync(settings.pidFile, `${JSON.stringify({ pid: child.pid, version, port, release: dir, started_at: new Date().toISOString() })}\n`);
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited !== null) {
      rmSync(settings.pidFile, { force: true });
      throw new Error(`release ${version} stopped at start (${exited}): ${tail(settings.logFile)}`);
    }
    const ready = readReady(settings);
    if (ready?.pid === child.pid) return { pid: child.pid, version, port };
    await sleep(50);
  }
  await stopService(settings);
  throw new Error(`release ${version} did not listen on port ${port} within ${START_TIMEOUT_MS / 1000} s: ${tail(settings.logFile)}`);
}

function readReady(settings) {
  try {
    return JSON.parse(readFileSync(settings.readyFile, 'utf8'));
  } catch {
    return undefined;
  }
}

function tail(file) {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-3).join(' | ');
  } catch {
    return '(no log)';
  }
}
