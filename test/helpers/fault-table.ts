import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { withStateDb } from './state-db.js';
import { readJson, type CliResult } from './workspace.js';

export interface KillPointOutcome {
  point: string;
  crashed: boolean;
  finalExit: number | null;
  problems: string[];
  /** The last command's output when something is wrong. */
  detail?: string;
}

/** The commands of one scenario; `env(i)` is the environment of its i-th command. */
export type Steps = (env: (i: number) => Record<string, string>) => CliResult[];

/**
 * The points a clean run passes, in order, as `<command>:<point>#<n>` (the n-th time the i-th
 * command of the scenario passed it; from AUTONOMOUS_LOOP_CRASH_TRACE).
 */
export function tracePoints(ws: string, steps: Steps): string[] {
  const trace = (i: number) => path.join(ws, `.trace-${i}`);
  const results = steps((i) => ({ AUTONOMOUS_LOOP_CRASH_TRACE: trace(i) }));
  return results.flatMap((_, i) => (existsSync(trace(i)) ? readFileSync(trace(i), 'utf8').trim().split('\n').filter(Boolean).map((p) => `${i}:${p}`) : []));
}

/**
 * Kills the loop at `point` (SIGKILL), then runs the steps again without faults, and checks that
 * nothing was lost, duplicated or left disagreeing.
 */
export function killAndResume(ws: string, point: string, steps: Steps, project: string, expected: ExpectedEnd = {}): KillPointOutcome {
  const at = Number(point.slice(0, point.indexOf(':')));
  const crashAt = point.slice(point.indexOf(':') + 1);
  const first = steps((i): Record<string, string> => (i === at ? { AUTONOMOUS_LOOP_CRASH_AT: crashAt } : {}));
  const crashed = first[at]?.code === null;
  const results = steps(() => ({}));
  const finalExit = results.at(-1)?.code ?? null;
  const problems = checkInvariants(ws, project, expected);
  const last = results.at(-1);
  return { point, crashed, finalExit, problems, ...(problems.length > 0 && last ? { detail: `${first.map((r) => r.stdout.slice(-1500)).join('\n---\n')}\n=== resumed ===\n${last.stdout.slice(-2000)}${last.stderr.slice(-1000)}` } : {}) };
}

/** How tasks end when the scenario ends as it should (by default: every task complete). */
export type ExpectedEnd = Record<string, 'complete' | 'failed'>;

export function checkInvariants(ws: string, project: string, expected: ExpectedEnd = {}): string[] {
  const problems: string[] = [];
  const aibrain = path.join(ws, '.aibrain');
  let queue: { features: { id: string; status?: string }[] };
  try {
    queue = readJson(path.join(ws, 'tasks', `work_queue_${project}.json`));
  } catch (e) {
    return [`queue file does not parse: ${String(e)}`];
  }
  withStateDb(ws, (db) => {
    const rows = new Map((db.prepare('SELECT task_id, status FROM tasks WHERE project = ?').all(project) as { task_id: string; status: string }[]).map((r) => [r.task_id, r]));
    for (const t of queue.features) {
      const row = rows.get(t.id);
      if ((t.status ?? 'pending') !== (row?.status ?? 'pending')) problems.push(`${t.id}: file says ${t.status}, store says ${row?.status}`);
      const want = expected[t.id] ?? 'complete';
      if (t.status !== want) problems.push(`${t.id}: ${t.status ?? 'pending'}, expected ${want}`);
      const its = db.prepare('SELECT state, promise_met FROM iterations WHERE project = ? AND task_id = ? ORDER BY id').all(project, t.id) as { state: string; promise_met: number | null }[];
      const kept = its.filter((i) => i.state === 'done' && i.promise_met === 1);
      if (kept.length !== (want === 'complete' ? 1 : 0)) problems.push(`${t.id}: ${kept.length} iterations kept the promise`);
    }
    const stepRows = db.prepare(`SELECT task_id, iteration, name, state, runs FROM steps WHERE project = ?`).all(project) as { task_id: string; name: string; state: string; runs: number }[];
    for (const s of stepRows) if (s.state === 'running') problems.push(`step ${s.task_id}/${s.name} left ${s.state}`);
    const storedDeployments = (db.prepare('SELECT id FROM deployments WHERE project = ? ORDER BY seq').all(project) as { id: string }[]).map((r) => r.id);
    const fileDeployments = existsSync(path.join(aibrain, 'deployments.json'))
      ? (readJson(path.join(aibrain, 'deployments.json')).deployments as { id: string }[]).map((d) => d.id)
      : [];
    if (new Set(fileDeployments).size !== fileDeployments.length) problems.push('deployments.json has a duplicate record');
    if (JSON.stringify(fileDeployments) !== JSON.stringify(storedDeployments)) problems.push(`deployments.json (${fileDeployments.length}) and the store (${storedDeployments.length}) disagree`);
    const storedDecisions = (db.prepare('SELECT id FROM decisions WHERE project = ? ORDER BY seq').all(project) as { id: string }[]).map((r) => r.id);
    const fileDecisions = existsSync(path.join(aibrain, 'decisions.jsonl'))
      ? readFileSync(path.join(aibrain, 'decisions.jsonl'), 'utf8').trim().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { id: string }).id)
      : [];
    if (new Set(fileDecisions).size !== fileDecisions.length) problems.push('decisions.jsonl has a duplicate line');
    if (JSON.stringify(fileDecisions) !== JSON.stringify(storedDecisions)) problems.push(`decisions.jsonl (${fileDecisions.length}) and the store (${storedDecisions.length}) disagree`);
  });
  return problems;
}

/**
 * Every point was reached and killed there (a batched queue-file write may not recur in the
 * resumed scenario), and every resumed scenario ended with `finalExit` and no problem.
 */
export function expectEveryKillRecovered(rows: KillPointOutcome[], finalExit = 0): void {
  expect(rows.filter((r) => !r.crashed && !r.point.includes(':write:work_queue_')).map((r) => r.point)).toEqual([]);
  expect(rows.filter((r) => r.problems.length > 0 || r.finalExit !== finalExit)).toEqual([]);
}

export function formatTable(rows: KillPointOutcome[]): string {
  const width = Math.max(10, ...rows.map((r) => r.point.length));
  return [
    `${'kill point'.padEnd(width)}  killed  final exit  outcome`,
    ...rows.map((r) => `${r.point.padEnd(width)}  ${r.crashed ? 'yes   ' : 'no    '}  ${String(r.finalExit).padEnd(9)}  ${r.problems.length === 0 ? 'ok' : r.problems.join('; ')}`),
    ...rows.filter((r) => r.detail).map((r) => `\n--- ${r.point}\n${r.detail}`),
  ].join('\n');
}

export function resetWorkspace(ws: string): void {
  rmSync(path.join(ws, '.aibrain'), { recursive: true, force: true });
}
