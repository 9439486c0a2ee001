import { storeMayExist } from '../../state/open-store.js';
import { existsSync } from 'node:fs';
import { pushedWork } from '../../engine/pushed-branches.js';
import { runningLoop } from '../../state/running-loop.js';
import { loadWorkspaceQueue } from '../../engine/load-workspace-queue.js';
import { withFileStatuses } from '../../engine/file-marks.js';
import { queueConflicts } from '../../engine/queue-conflicts.js';
import { tasksFromElsewhere } from '../../engine/tasks-from-elsewhere.js';
import { environmentStates } from '../../records/environment-state.js';
import { openRecordStore } from '../../records/open-record-store.js';
import { taskTotals } from '../../state/iteration-metrics.js';
import type { Store, TaskRow } from '../../state/store.js';
import { formatFigures } from './format-figures.js';
import { formatRunners, runnerWait, runnersOf } from './status-runners.js';
import { provisioningGate } from '../../engine/provisioning-gate.js';
import { settleCutOffRollbacks } from '../../records/rollback-marker.js';
import { targetArgs } from '../../workspace/find-workspace.js';
import type { EnvironmentState } from '../../records/environment-state.js';
import type { LiveHealth } from '../../agents/deploy/probe-environment.js';
import type { Workspace } from '../../workspace/paths.js';

async function probe(ws: Workspace, project: string, e: EnvironmentState): Promise<LiveHealth> {
  const { probeEnvironment } = await import('../../agents/deploy/probe-environment.js');
  return probeEnvironment(ws, project, e.environment, e.version);
}

// The record's state beside the live answer: differs when the record says healthy and the service does not answer so, or the other way round.
function compare(e: EnvironmentState, live: LiveHealth): { live: LiveHealth; differs: boolean } {
  const differs = live.state !== 'UNKNOWN' && (e.state === 'healthy') !== (live.state === 'healthy');
  return { live, differs };
}

export async function statusCommand(opts: { project: string; root: string; json: boolean; probe?: boolean }): Promise<void> {
  const { ws, queue, contract, defaults } = loadWorkspaceQueue(opts.root, opts.project);
  const store = storeMayExist(ws.stateDb) || [ws.deploymentsFile, ws.decisionsFile].some((f) => existsSync(f)) ? await openRecordStore(ws) : undefined;
  try {
    // file_status as THIS machine last wrote or read its own queue file (several machines, one store).
    const rows = store ? await withFileStatuses(store, opts.project, queue.file, await store.tasks(opts.project)) : new Map<string, TaskRow>();
    // Tasks added on another machine (in the store's queue, not in this file) are listed too.
    const fromElsewhere = store ? await tasksFromElsewhere(store, opts.project, queue, defaults) : [];
    const elsewhere = new Set(fromElsewhere.map((t) => t.id));
    const specs = [...queue.tasks, ...fromElsewhere];
    const totals = store ? await taskTotals(store, opts.project, (id) => rows.get(id)?.base_iteration ?? 0) : new Map();
    const subjects = new Map(await Promise.all(specs.map(async (t) => [t.id, await gateSubjectOf(store, opts.project, t.id)] as const)));
    // A provisioning task at its gate: the plan that waits (file, sha-256, each change), as its box shows it.
    const plans = new Map(
      await Promise.all(
        specs
          .filter((t) => t.agentType === 'provisioning' && rows.get(t.id)?.status === 'awaiting_approval')
          .map(async (t) => [t.id, await provisioningGate(ws, opts.project, t, contract).catch((e: unknown) => ({ error: e instanceof Error ? e.message : String(e) }))] as const),
      ),
    );
    const { runners, taskRunner } = await runnersOf(store, opts.project);
    // Where each coding task's work was pushed (git.push in the project file), if anywhere.
    const pushed = new Map(store ? await Promise.all(queue.tasks.map(async (t) => [t.id, await pushedWork({ store, project: opts.project }, t.id)] as const)) : []);
    const statusOf = (id: string): string | undefined => rows.get(id)?.status ?? queue.fileStatus.get(id);
    const tasks = specs.map((t) => {
      const plan = plans.get(t.id);
      const inFile = queue.fileStatus.get(t.id) ?? 'pending';
      const row = rows.get(t.id);
      const edited = row && !elsewhere.has(t.id) && row.file_status !== null && row.file_status !== inFile && inFile !== row.status;
      const status = row && !edited ? row.status : inFile;
      const waitingFor = runnerWait(t, status, statusOf, contract, runners);
      return {
        id: t.id,
        status,
        // The runner holding the task's claim now (several runners), and a runner it waits for.
        runner: taskRunner.get(t.id) ?? null,
        work: pushed.get(t.id) ?? null,
        ...(waitingFor ? { waiting_for: waitingFor } : {}),
        // Added on another machine: in the store's queue, not in this machine's file.
        ...(elsewhere.has(t.id) ? { not_in_this_file: true } : {}),
        iterations: row ? row.iterations - row.base_iteration : 0,
        max_iterations: t.maxIterations,
        last_error: row?.last_error ?? null,
        reason: row?.reason ?? null,
        agent_type: t.agentType,
        environment: t.environment ?? null,
        // What the current attempt spent (null where the agent does not report it).
        cost_usd: roundCost(totals.get(t.id)?.cost_usd ?? null),
        tokens: totals.get(t.id)?.tokens ?? null,
        turns: totals.get(t.id)?.turns ?? null,
        duration_ms: totals.get(t.id)?.duration_ms ?? null,
        // What its gate showed when it last opened: what `approve` signs off.
        subject: subjects.get(t.id) ?? null,
        // A task waiting at its gate: why, and how to decide it (the box: `approve TASK` at a terminal).
        ...(row && !edited && row.status === 'awaiting_approval'
          ? { pending_gate: { reasons: (row.reason ?? '').split('; ').filter(Boolean), ...(plans.has(t.id) ? { plan: planOf(plan) } : {}), approve_command: `autonomous-loop approve ${t.id} ${targetArgs(ws.root, opts.project)} --by <name>` } }
          : {}),
      };
    });
    // A lock or lease whose process is gone on this host is no loop running (it died: kill -9, a crash).
    const lock = store ? await runningLoop(store, opts.project) : undefined;
    // A rollback whose process is gone (SIGKILL): on the record as interrupted before it is shown.
    if (store) await settleCutOffRollbacks(store, ws, opts.project, (runId) => lock?.run_id === runId);
    const recorded = store ? await environmentStates(store, opts.project) : [];
    // The record says what was done; the health check says what answers now (--no-probe: the record only).
    const environments = await Promise.all(recorded.map(async (e) => ({ ...e, ...(opts.probe === false ? {} : compare(e, await probe(ws, opts.project, e))) })));
    // Machines whose queue files disagree on a task's definition: named, never settled by the last writer.
    const conflicts = store ? await queueConflicts(store, opts.project, `autonomous-loop push ${targetArgs(ws.root, opts.project)}`) : [];
    if (opts.json) {
      process.stdout.write(`${JSON.stringify({ project: opts.project, tasks, environments, running: lock ?? null, runners, conflicts }, null, 2)}\n`);
      return;
    }
    const width = Math.max(4, ...tasks.map((t) => t.id.length));
    const lines = [`${queue.displayFile} (project ${queue.projectName})${lock ? ` — running: pid ${lock.pid} on ${lock.host} since ${lock.since}` : ''}`];
    for (const t of tasks) {
      const where = (t.runner ? `  [${runnerName(runners, t.runner)}]` : '') + (t.work ? `  [work: ${t.work.branch} on ${t.work.remote} at ${t.work.commit.slice(0, 12)}]` : '');
      const detail = [t.waiting_for, t.reason ?? t.last_error, 'not_in_this_file' in t ? "added on another machine: not in this machine's file" : undefined].filter(Boolean).join('; ') + where;
      const figures = formatFigures(t);
      lines.push(`  ${t.id.padEnd(width)}  ${t.status.padEnd(17)} ${String(t.iterations).padStart(3)}/${t.max_iterations} it.${figures ? `  ${figures}` : ''}${detail ? `  ${detail}` : ''}`);
    }
    lines.push(...formatRunners(runners));
    if (conflicts.length > 0) lines.push('queue conflicts between machines:', ...conflicts.map((c) => `  ! ${c.message}`));
    if (environments.length > 0) lines.push('environments:');
    for (const e of environments) {
      const live = 'live' in e ? e.live : undefined;
      const mark = e.state === 'healthy' && (!live || live.state === 'healthy') ? '✔' : '!';
      lines.push(`  ${mark} ${e.environment.padEnd(11)} ${(e.version ?? 'nothing').padEnd(10)} ${e.state}${e.reason ? `: ${e.reason}` : ''}${e.last_good && e.last_good !== e.version ? ` (last good: ${e.last_good})` : ''}`);
      if (live) lines.push(`      now: ${live.state === 'UNKNOWN' ? 'UNKNOWN' : live.state}: ${live.probe ? `${live.probe} ` : ''}${live.detail}${'differs' in e && e.differs ? '  ← differs from the record' : ''}`);
    }
    if (opts.probe === false && environments.length > 0) lines.push('  (not probed: --no-probe; the states above are the record)');
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await store?.close();
  }
}

function runnerName(runners: readonly { runner_id: string; host: string; pid: number }[], id: string): string {
  const r = runners.find((x) => x.runner_id === id);
  return r ? `${r.host} pid ${r.pid}` : id;
}

async function gateSubjectOf(store: Store | undefined, project: string, taskId: string): Promise<Record<string, unknown> | null> {
  const stored = await store?.gateSubject(project, taskId);
  return stored ? { fingerprint: stored.fingerprint, computed_at: stored.computed_at, ...(JSON.parse(stored.subject) as Record<string, unknown>) } : null;
}
// A sum of floats (0.3 + 0.3 + … = 1.7999999999999998) shown to the micro-dollar.
const roundCost = (usd: number | null): number | null => (usd === null ? null : Math.round(usd * 1e6) / 1e6);

// The waiting plan as status --json shows it (null: none waits; error: it could not be read).
function planOf(plan: Awaited<ReturnType<typeof provisioningGate>> | { error: string }): Record<string, unknown> | null {
  if (!plan) return null;
  if ('error' in plan) return { error: plan.error };
  return { file: plan.kept.plan_file, sha256: plan.kept.sha256, summary: plan.summary, cost: plan.review.cost, findings: plan.review.findings.length };
}
