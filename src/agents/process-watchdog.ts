import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Agents die with the loop, even on SIGKILL. Node cannot ask the kernel for PR_SET_PDEATHSIG, so a
// small watchdog process (one per loop process, in a process group of its own) holds the read end
// of a pipe from the loop and the list of the agents' process groups. When the pipe ends (the loop
// exited or was killed) it stops every group still listed, and every process carrying a listed
// command's marker (marked-processes.ts: a setsid child). What it cannot cover: the watchdog
// itself killed with the loop (`kill -9` of both); the next run stops leftovers it recorded by
// pid and start time.

let watchdog: ChildProcess | undefined;
let failed = false;

function ensureWatchdog(): ChildProcess | undefined {
  if (watchdog || failed) return watchdog;
  try {
    const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'watchdog-main.js');
    if (!existsSync(script)) {
      failed = true; // run from the sources (tests of one module): the built CLI has it
      return undefined;
    }
    const child = spawn(process.execPath, [script, String(process.pid)], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
    child.on('error', () => {
      failed = true;
      watchdog = undefined;
    });
    child.stdin?.on('error', () => {});
    // Neither the watchdog nor its pipe keeps the loop alive: it ends when the loop does.
    child.unref();
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    watchdog = child;
  } catch {
    failed = true;
  }
  return watchdog;
}

/** The watchdog stops this process group if the loop dies before the group ends. */
export function watchGroup(pgid: number, marker?: string): void {
  ensureWatchdog()?.stdin?.write(`+${pgid}${marker ? ` ${marker}` : ''}\n`);
}

export function unwatchGroup(pgid: number): void {
  watchdog?.stdin?.write(`-${pgid}\n`);
}

/** The watchdog's pid while it runs (tests look for it). */
export function watchdogPid(): number | undefined {
  return watchdog?.pid;
}
