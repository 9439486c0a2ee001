import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';

// Agent processes are tracked by more than their process group: each command gets a marker in
// its environment, which every process it starts inherits — a `setsid` child, a daemon that
// left the group — and which is found again under /proc/<pid>/environ (Linux; elsewhere the
// group is all there is).
export const MARKER_NAME = 'AUTONOMOUS_LOOP_PROCESS';

let counter = 0;

export function newMarker(): string {
  return `${process.pid}.${++counter}.${randomBytes(4).toString('hex')}`;
}

/** Pids of live processes whose environment holds `MARKER_NAME=marker` (never this process). */
export function findMarkedProcesses(marker: string): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const needle = Buffer.from(`${MARKER_NAME}=${marker}\0`);
  const pids: number[] = [];
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    try {
      const env = readFileSync(`/proc/${name}/environ`);
      if (env.includes(needle) && !isZombie(pid)) pids.push(pid);
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return true;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/**
 * Stops the command's group and every process carrying its marker: SIGTERM, then SIGKILL to
 * whatever is still there after `graceMs`. Resolves when none is left (or after the SIGKILL).
 * Returns the pids that had to be killed.
 */
export async function stopMarkedProcesses(marker: string, group: number | undefined, graceMs: number): Promise<number[]> {
  if (group !== undefined) signal(-group, 'SIGTERM');
  for (const pid of findMarkedProcesses(marker)) signal(pid, 'SIGTERM');
  const until = Date.now() + graceMs;
  let left = findMarkedProcesses(marker);
  while (left.length > 0 && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
    left = findMarkedProcesses(marker);
  }
  if (group !== undefined) signal(-group, 'SIGKILL');
  for (const pid of left) signal(pid, 'SIGKILL');
  return left;
}
