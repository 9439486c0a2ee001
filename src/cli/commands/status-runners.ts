import { describeRunnerWait, labelsFit, requiredLabels } from '../../engine/runner-labels.js';
import type { Contract } from '../../gates/contract.js';
import type { TaskSpec } from '../../queue/task-spec.js';
import type { Store } from '../../state/store.js';

export interface RunnerStatus {
  runner_id: string;
  host: string;
  pid: number;
  labels: string[];
  /** The tasks it holds a live claim on. */
  running: string[];
  heartbeat_at: string;
  alive: boolean;
}

/** The project's runners (alive, then recently stopped) and, per task, the runner holding it. */
export async function runnersOf(store: Store | undefined, project: string): Promise<{ runners: RunnerStatus[]; taskRunner: Map<string, string> }> {
  if (!store) return { runners: [], taskRunner: new Map() };
  const claims = (await store.claims(project)).filter((c) => c.live);
  const taskRunner = new Map(claims.map((c) => [c.task_id, c.runner_id]));
  const runners = (await store.runners(project)).map((r) => ({
    runner_id: r.runner_id,
    host: r.host,
    pid: r.pid,
    labels: r.labels,
    running: claims.filter((c) => c.runner_id === r.runner_id).map((c) => c.task_id),
    heartbeat_at: r.heartbeat_at,
    alive: r.alive,
  }));
  return { runners: runners.filter((r) => r.alive || r.running.length > 0).concat(runners.filter((r) => !r.alive && r.running.length === 0).slice(-5)), taskRunner };
}

/** A ready task whose labels no live runner has: "waiting for a runner labelled prod". */
export function runnerWait(spec: TaskSpec, status: string, statusOf: (id: string) => string | undefined, contract: Contract, runners: readonly RunnerStatus[]): string | null {
  if (status !== 'pending' && status !== 'in_progress') return null;
  if (!spec.dependsOn.every((d) => statusOf(d) === 'complete')) return null;
  const need = requiredLabels(spec, contract);
  if (need.length === 0 || runners.some((r) => r.alive && labelsFit(r.labels, need))) return null;
  return describeRunnerWait(need);
}

export function formatRunners(runners: readonly RunnerStatus[], now = Date.now()): string[] {
  if (runners.length === 0) return [];
  const lines = ['runners:'];
  for (const r of runners) {
    const age = Math.max(0, Math.round((now - Date.parse(r.heartbeat_at)) / 1000));
    const labels = r.labels.length > 0 ? r.labels.join(',') : '-';
    const doing = r.running.length > 0 ? `running ${r.running.join(', ')}` : 'idle';
    lines.push(`  ${r.alive ? '●' : '○'} ${r.host} pid ${r.pid}  labels ${labels}  ${r.alive ? doing : 'gone'}  heartbeat ${age}s ago`);
  }
  return lines;
}
