import { killProcessGroup, trackProcesses } from '../agents/run-command.js';
import { startTimeOf } from '../state/process-identity.js';
import type { Store } from '../state/store.js';

/**
 * Stops the agent processes a crashed loop left running (they would otherwise finish a step the
 * resumed run is about to redo), then records every process this run starts.
 */
export async function stopLeftoversAndTrack(store: Store, project: string, runId: string, keep?: (runId: string) => boolean): Promise<string[]> {
  const stopped: string[] = [];
  for (const p of await store.processes(project)) {
    if (keep?.(p.run_id)) continue; // another runner's, still at work (or on another host)
    const now = startTimeOf(p.pid);
    if (now !== null && (p.start_time === null || p.start_time === now)) {
      killProcessGroup(p.pid, 500);
      stopped.push(`${p.pid} (run ${p.run_id})`);
    }
    await store.removeProcess(project, p.pid);
  }
  trackProcesses({
    started: (pid) => store.addProcess(project, runId, pid, startTimeOf(pid)),
    ended: async (pid) => {
      if (store.open) await store.removeProcess(project, pid);
    },
  });
  return stopped;
}

export function stopTracking(): void {
  trackProcesses(undefined);
}
