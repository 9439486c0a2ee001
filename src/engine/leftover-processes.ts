import { readFileSync } from 'node:fs';
import { killProcessGroup, trackProcesses } from '../agents/run-command.js';
import type { StateStore } from '../state/state-store.js';

/** The kernel's start time of a process (Linux), to tell our process from a reused pid. */
function startTimeOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/**
 * Stops the agent processes a crashed loop left running (they would otherwise finish a step the
 * resumed run is about to redo), then records every process this run starts.
 */
export function stopLeftoversAndTrack(store: StateStore, project: string, runId: string): string[] {
  const stopped: string[] = [];
  for (const p of store.processes(project)) {
    const now = startTimeOf(p.pid);
    if (now !== null && (p.start_time === null || p.start_time === now)) {
      killProcessGroup(p.pid, 500);
      stopped.push(`${p.pid} (run ${p.run_id})`);
    }
    store.removeProcess(project, p.pid);
  }
  trackProcesses({
    started: (pid) => store.addProcess(project, runId, pid, startTimeOf(pid)),
    ended: (pid) => {
      if (store.db.open) store.removeProcess(project, pid);
    },
  });
  return stopped;
}

export function stopTracking(): void {
  trackProcesses(undefined);
}
