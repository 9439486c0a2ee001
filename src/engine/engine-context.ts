import type { Logger } from '../log/create-logger.js';
import { redactSecrets } from '../log/redact-secrets.js';
import type { AgentRegistry } from '../agents/registry.js';
import type { TaskSpec } from '../queue/task-spec.js';
import type { Contract } from '../gates/contract.js';
import type { TaskStatus } from '../queue/schema.js';
import type { Store } from '../state/store.js';
import type { Workspace } from '../workspace/paths.js';
import { faultPoint } from '../workspace/fault-point.js';
import type { EngineEmitter } from './events.js';
import type { Prompter } from './prompter.js';
import type { QueueSync } from './queue-sync.js';
import type { RunnerSession } from './runner-session.js';
import type { TaskOutput } from './task-output.js';

export interface TaskState {
  spec: TaskSpec;
  status: TaskStatus;
  /** Iterations run, all attempts: numbers iterations and their journaled steps. */
  iterations: number;
  /** Iterations before the current attempt: the budget counts from here. */
  baseIteration: number;
  lastError: string | null;
  reason: string | null;
}

/** What one run shares between the scheduler and the tasks it runs. */
export interface EngineContext {
  runId: string;
  project: string;
  ws: Workspace;
  store: Store;
  contract: Contract;
  registry: AgentRegistry;
  emitter: EngineEmitter;
  log: Logger;
  sync: QueueSync;
  tasks: Map<string, TaskState>;
  prompter: Prompter | undefined;
  yes: boolean;
  /** Iterations this run may still start (the global --max-iterations). */
  iterationBudget: { left: number };
  signal: AbortSignal;
  /** The run's --max-cost in USD: no task starts another iteration once the run has spent it. */
  maxCostUsd?: number;
  /** Set when a person chose (A)bort. */
  aborted: { by: string } | undefined;
  /** A usage limit stopped the run: when it can resume, and why. */
  paused?: { until: number; reason: string };
  /** --wait: at a gate with nobody at a terminal, wait for a decision from another shell. */
  waitForPeople?: { pollMs: number };
  /** Tasks BLOCKED in this run with nobody to ask (a veto): --wait waits for an override too. */
  vetoed: Set<string>;
  /** This process as one of the project's runners (labels, lease, claims). */
  runner?: RunnerSession;
  /** Ready tasks no live runner can take, with what each waits for ("waiting for a runner labelled prod"). */
  waitingForRunner?: Map<string, string>;
  /** The tasks' output lines into the state store (`logs --follow` from any machine). */
  output?: TaskOutput;
  /** The queue file's problem last said on screen (a person's save left it invalid). */
  invalidSaid?: string | undefined;
}

/** Saves a task's state: the state store first, then the queue file (batched). Inside a transaction, `store` is its own. */
export async function saveTask(ctx: EngineContext, state: TaskState, changes: Partial<Omit<TaskState, 'spec'>>, store: Store = ctx.store): Promise<void> {
  Object.assign(state, changes);
  // Reasons and errors quote task text and output: stored and shown without secrets.
  if (state.reason) state.reason = redactSecrets(state.reason);
  if (state.lastError) state.lastError = redactSecrets(state.lastError);
  await store.saveTask(ctx.project, {
    task_id: state.spec.id,
    status: state.status,
    // Kept as it is for a task already in the store; set by write-back only.
    file_status: ctx.sync.queue.fileStatus.get(state.spec.id) ?? null,
    iterations: state.iterations,
    base_iteration: state.baseIteration,
    last_error: state.lastError,
    reason: state.reason,
  });
  faultPoint(`state:${state.status}`);
  ctx.sync.setStatus(state.spec.id, state.status);
}
