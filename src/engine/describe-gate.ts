import type { IterationContext, StepJournal } from '../agents/agent.js';
import { createDefaultRegistry } from '../agents/registry.js';
import { silentLogger } from '../log/create-logger.js';
import { describeStaleApproval, evaluateGate } from '../gates/approval-gate.js';
import { deploymentCount, successfulDeployments } from '../records/deployment-record.js';
import { openRecordStore } from '../records/open-record-store.js';
import type { TaskSpec } from '../queue/task-spec.js';
import type { Store } from '../state/store.js';
import { describeApprovalSubject } from './approval-subject.js';
import { loadWorkspaceQueue } from './load-workspace-queue.js';
import type { GatePrompt } from './prompter.js';
import { createRecordSink } from './record-sink.js';

/** The environment before the task's, at the task's version: passed (when, which task, who approved), or not. */
export async function describeCascade(store: Store, project: string, spec: TaskSpec): Promise<string[]> {
  const before = spec.environment === 'production' ? 'staging' : spec.environment === 'staging' ? 'development' : undefined;
  if (!before || spec.version === undefined || spec.agentType !== 'deployment') return [];
  const there = (await successfulDeployments(store, project, before)).filter((r) => r.kind !== 'rollback');
  const last = there.find((r) => r.version === spec.version);
  if (!last) return [`${before} has not passed ${spec.version} (on record there: ${[...new Set(there.map((r) => r.version))].join(', ') || 'nothing'})`];
  return [`${before} passed ${spec.version} at ${last.completed_at} (${last.task_id}${last.approved_by ? `, approved by ${last.approved_by}` : ', no approval needed'})`];
}

// Steps in memory: the pre-flight of a box shown outside a run leaves nothing in the journal.
function memoryJournal(): StepJournal {
  const done = new Map<string, unknown>();
  return {
    async run(name, fn) {
      if (done.has(name)) return done.get(name) as never;
      const result = await fn();
      done.set(name, result);
      return result;
    },
    latest: async (name) => done.get(name) as never,
  };
}

/**
 * The box a run would show at this task's gate, computed from another shell (`approve TASK`): the
 * reasons, the agent's read-only pre-flight, the cascade and what changed since an earlier
 * approval. Undefined when the task needs no person now.
 */
export async function describeGate(root: string, project: string, taskId: string): Promise<GatePrompt | undefined> {
  const { ws, contract, queue } = loadWorkspaceQueue(root, project);
  const task = queue.tasks.find((t) => t.id === taskId);
  if (!task) return undefined;
  const store = await openRecordStore(ws);
  try {
    const subject = await describeApprovalSubject(ws, project, task, contract, store);
    const deployed = await deploymentCount(store, project, task.environment);
    const need = evaluateGate(task, contract, () => deployed, subject);
    const agent = createDefaultRegistry(contract).get(task.agentType);
    const row = await store.task(project, taskId);
    const iteration = (row?.iterations ?? 0) + 1;
    const ctx: IterationContext = {
      project,
      task,
      iteration,
      runId: 'describe-gate',
      workspace: ws,
      signal: AbortSignal.timeout(120_000),
      log: silentLogger(),
      steps: memoryJournal(),
      records: { ...createRecordSink(store, ws, project, taskId, iteration, () => null), rollbackStarted: undefined, rollbackEnded: undefined },
      ask: async () => 'unavailable',
      progress: () => {},
    };
    const own = agent.gateReasons ? await agent.gateReasons(ctx).catch((e: unknown) => [`could not tell what the task would undo: ${String(e)}`]) : [];
    const reasons = [...need.reasons, ...own];
    if (reasons.length === 0) return undefined;
    const preflight = agent.preflight ? await agent.preflight(ctx).catch((e: unknown) => [{ check: 'pre-flight', status: 'failed' as const, detail: String(e) }]) : [];
    return {
      project,
      task,
      reasons,
      production: need.production,
      preflight,
      changes: await describeStaleApproval(store, project, taskId, subject, need.fingerprint, row?.base_iteration ?? 0),
      cascade: await describeCascade(store, project, task),
    };
  } finally {
    await store.close();
  }
}
