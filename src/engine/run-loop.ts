import { randomUUID } from 'node:crypto';
import PQueue from 'p-queue';
import type { Logger } from '../log/create-logger.js';
import { createDefaultRegistry, type AgentRegistry } from '../agents/registry.js';
import { AbortError, ExitCode, InputError, InterruptError, LockError, PausedError, LoopError, formatProblems } from '../errors.js';
import { flushDecisions, osUser } from '../records/decision-record.js';
import { createLogger } from '../log/create-logger.js';
import { TASK_STATUSES, type TaskStatus } from '../queue/schema.js';
import { isProcessAlive } from '../state/is-process-alive.js';
import { lockHolderLive } from '../state/running-loop.js';
import type { LockResult, Store } from '../state/store.js';
import { openRecordStore } from '../records/open-record-store.js';
import { queueFilePath, type Workspace } from '../workspace/paths.js';
import { pruneLogs } from './prune-run-logs.js';
import { isStateStoreError, toStorageError } from '../workspace/storage-error.js';
import type { EngineContext, TaskState } from './engine-context.js';
import { EngineEmitter } from './events.js';
import { checkProjectFile, loadWorkspaceQueue } from './load-workspace-queue.js';
import type { Prompter } from './prompter.js';
import { QueueSync } from './queue-sync.js';
import { writeStatusesBack } from './file-marks.js';
import { StoredQueueSync } from './stored-queue-sync.js';
import { flushDeployments } from '../records/deployment-record.js';
import { warnBehind } from './record-sink.js';
import { stopLeftoversAndTrack, stopTracking } from './leftover-processes.js';
import { reconcileTasks, applyEdits } from './reconcile-tasks.js';
import { listApprovers } from '../gates/approvers.js';
import { writeAllowedSigners } from './signed-decision.js';
import { Scheduler } from './scheduler.js';
import { DEFAULT_LEASE_MS, RunnerSession } from './runner-session.js';
import { adoptStoredStatuses } from './runner-wait.js';
import { runnersAtWork } from './runner-leftovers.js';
import { DecisionInbox } from './decision-inbox.js';
import { TaskOutput } from './task-output.js';

export interface RunOptions {
  root: string;
  project: string;
  concurrency?: number;
  maxIterations?: number;
  /** USD the whole run may spend (coding agents that report cost). */
  maxCostUsd?: number;
  yes?: boolean;
  /** A person at a terminal; without one nothing waits on stdin. */
  prompter?: Prompter;
  registry?: AgentRegistry;
  emitter?: EngineEmitter;
  signal?: AbortSignal;
  /** --wait: at a gate with nobody at a terminal, wait for a decision from another shell. */
  wait?: boolean;
  /** How often --wait looks for a decision (ms). */
  waitPollMs?: number;
  /** How often the queue file is checked for edits and written back (ms). */
  syncIntervalMs?: number;
  logLevel?: string;
  /** This runner's labels (`--labels`): tasks whose `runs_on` names others are left to other runners. */
  labels?: string[];
  /** How long a task claim holds without a heartbeat (ms; several runners on one database). */
  leaseMs?: number;
  /** How often an idle runner looks for work other runners made ready (ms). */
  runnerPollMs?: number;
}

export interface RunSummary {
  runId: string;
  exitCode: number;
  counts: Record<TaskStatus, number>;
  waiting: { taskId: string; approveCommand: string }[];
  tasks: TaskState[];
}

// Runs the queue to the end: validate, lock, resume, schedule, write back. Input problems are
// found before anything under .aibrain/ is touched.
export async function runLoop(options: RunOptions): Promise<RunSummary> {
  const { ws, contract, queue, defaults } = loadWorkspaceQueue(options.root, options.project);
  const registry = options.registry ?? createDefaultRegistry(contract);
  const unknown = queue.tasks.filter((t) => !registry.has(t.agentType)).map((t) => `${queue.tasksKey}[${t.index}].agent_type: no agent '${t.agentType}' (known: ${registry.types().join(', ')})`);
  if (unknown.length > 0) throw new InputError(formatProblems(`${queue.displayFile}: unknown agent types`, unknown), unknown);
  if (!options.registry) await checkProjectFile(ws, options.project, queue, contract);

  const store = await openRecordStore(ws);
  // verified approvals: .aibrain/allowed_signers says whose keys count, as the contract does now
  if (listApprovers(contract).some((a) => a.sshKey !== null)) writeAllowedSigners(ws, contract);
  const runId = `run-${new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${randomUUID().slice(0, 8)}`;
  // One store per machine locks the project; a shared one lets several runners claim its tasks instead.
  // (A rollback holds the lock on a shared one too: runners do not start under it.)
  const lock: LockResult = store.sharedByRunners ? await rollbackUnderWay(store, options.project) : await store.acquireLock(options.project, runId, isProcessAlive);
  if (!lock.ok) {
    await store.close();
    const h = lock.holder;
    throw new LockError(
      `project '${options.project}' is being run by another loop (pid ${h.pid} on ${h.host}, since ${h.since}); wait for it to finish, or if it is gone run 'autonomous-loop unlock --project ${options.project} --force'`,
    );
  }
  const controller = new AbortController();
  // A write under .aibrain/ that fails (disk full, read-only) stops the run: it could record nothing more.
  let storageFailure: LoopError | undefined;
  let log: Logger;
  try {
    log = createLogger(
      ws.logsDir,
      options.project,
      runId,
      options.logLevel,
      (e) => {
        storageFailure ??= e;
        controller.abort();
      },
      { keepRuns: contract.logs.keep_runs, maxBytes: contract.logs.max_bytes },
    );
  } catch (e) {
    await attempt(() => store.releaseLock(options.project, runId));
    await attempt(() => store.close());
    throw toRunError(e, ws);
  }
  if (lock.tookOverFrom) log.warn({ stale: lock.tookOverFrom }, 'took over the lock of a loop that is gone');
  const emitter = options.emitter ?? new EngineEmitter();
  const onOuterAbort = (): void => controller.abort();
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  if (options.signal?.aborted) controller.abort();
  const sync = new QueueSync(queue, defaults, log);
  const ctx: EngineContext = {
    runId,
    project: options.project,
    ws,
    store,
    contract,
    registry,
    emitter,
    log,
    sync,
    tasks: new Map(),
    prompter: options.prompter,
    yes: options.yes ?? false,
    iterationBudget: { left: options.maxIterations ?? Number.POSITIVE_INFINITY },
    ...(options.maxCostUsd !== undefined ? { maxCostUsd: options.maxCostUsd } : {}),
    signal: controller.signal,
    aborted: undefined,
    vetoed: new Set(),
    ...(options.wait ? { waitForPeople: { pollMs: options.waitPollMs ?? 250 } } : {}),
  };
  ctx.runner = new RunnerSession(store, options.project, runId, { labels: options.labels ?? [], leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS, pollMs: options.runnerPollMs ?? 500 }, log, emitter);
  // A lost connection to the database (PostgreSQL): tried again with backoff, said on screen.
  store.watchConnection((trouble) => {
    emitter.emit('warning', { message: trouble ?? 'the state database is back: the run goes on' });
    if (trouble) log.warn({ problem: trouble }, 'state database');
  });
  ctx.output = new TaskOutput(store, options.project, runId, (e) =>
    emitter.emit('warning', { message: `cannot keep the tasks' output in the state store (${e instanceof Error ? e.message : String(e)}): 'logs --follow' from another machine will miss it; the run goes on` }),
  );
  let exitCode: number = ExitCode.done;
  let failure: unknown;
  // A signal missed or dropped only delays a decision: the tasks waiting for one are read again
  // at each --wait look (otherwise every second).
  const inbox = new DecisionInbox(options.wait ? (options.waitPollMs ?? 250) : 1000);
  const storedQueue = new StoredQueueSync();
  const waiting: RunSummary['waiting'] = [];
  emitter.on('task:waiting', (w) => waiting.push({ taskId: w.taskId, approveCommand: w.approveCommand }));
  try {
    await store.startRun(options.project, runId, osUser());
    await ctx.runner.start();
    const stopped = await stopLeftoversAndTrack(store, options.project, runId, await runnersAtWork(ctx));
    if (stopped.length > 0) log.warn({ stopped }, 'stopped agent processes left running by a loop that died');
    for (const problem of [await flushDeployments(store, ws), await flushDecisions(store, ws)]) if (problem) warnBehind(ctx, problem);
    const resumed = await reconcileTasks(ctx);
    // The queue in the store: this file merged into it (compare-and-swap), and what other machines pushed taken.
    await storedQueue.afterFileRead(ctx);
    pruneLogs(ctx); // the contract's logs.keep_runs and logs.max_bytes, before this run adds its own
    emitter.emit('run:start', { runId, project: options.project, tasks: ctx.tasks.size, resumed });
    log.info({ tasks: ctx.tasks.size, resumed, file: queueFilePath(ws, options.project) }, 'run started');
    if (storageFailure) throw storageFailure;
    const scheduler = new Scheduler(ctx, new PQueue({ concurrency: options.concurrency ?? 1 }));
    // Decisions from other shells and machines, signalled by the store: taken at once.
    await inbox.open(ctx, () => scheduler.poke());
    const outcome = await scheduler.run(options.syncIntervalMs ?? 200, async () => {
      const { edits } = await writeStatusesBack(store, options.project, sync);
      sayInvalidQueue(ctx);
      if (edits) await applyEdits(ctx, edits);
      const elsewhere = edits ? await storedQueue.afterFileRead(ctx) : await storedQueue.look(ctx);
      // After the file: a decision made on this machine patched it already and is taken from there.
      const decided = await inbox.take(ctx, (id) => scheduler.busy(id));
      return edits !== undefined || decided || elsewhere;
    });
    exitCode = exitCodeFor(ctx, outcome);
  } catch (e) {
    failure = toRunError(e, ws);
  }
  options.signal?.removeEventListener('abort', onOuterAbort);
  const stopListening = await attempt(() => inbox.close());
  await attempt(() => ctx.output?.close() ?? Promise.resolve());
  failure = storageFailure ?? failure ?? (stopListening === undefined ? undefined : toRunError(stopListening, ws));
  if (failure !== undefined) exitCode = failure instanceof LoopError ? failure.exitCode : 70;
  const finishFailure = await finish(ctx, log, exitCode);
  failure ??= storageFailure ?? (finishFailure === undefined ? undefined : toRunError(finishFailure, ws));
  if (failure !== undefined) throw failure;
  const counts = countStatuses(ctx);
  emitter.emit('run:end', { runId, exitCode, counts });
  if (exitCode === ExitCode.aborted) throw new AbortError(`run aborted by ${ctx.aborted?.by ?? 'a person'}; state saved: run again to resume`);
  if (exitCode === ExitCode.interrupted) throw new InterruptError('interrupted; state saved: run again to resume');
  if (exitCode === ExitCode.paused) throw new PausedError(`paused: ${ctx.paused?.reason ?? 'a usage limit'}; state saved: run again after ${new Date(ctx.paused?.until ?? Date.now()).toISOString()} to resume`);
  return { runId, exitCode, counts, waiting: stillWaiting(ctx, waiting), tasks: [...ctx.tasks.values()] };
}

/** Writes back, ends the run, releases the lock, closes the store: every step tried, the first error returned. */
async function finish(ctx: EngineContext, log: Logger, exitCode: number): Promise<unknown> {
  let first: unknown;
  let code = exitCode;
  const step = async (fn: () => Promise<void>): Promise<void> => {
    const e = await attempt(fn);
    first ??= e;
  };
  await step(async () => {
    // Several runners: this runner's file and summary show what the others did too.
    if (ctx.runner?.cooperative) await adoptStoredStatuses(ctx, new Set());
  });
  await step(async () => {
    // A write held back by someone saving the file meanwhile is merged and tried again. A file read
    // invalid may be an editor's save caught between its truncate and its write (in place): it is
    // read again for up to a second before the run says it could not write (as the first read does).
    const patience = Date.now() + 1000;
    const writeBack = async (): Promise<void> => {
      for (let tries = 0; tries === 0 || (ctx.sync.pendingWrites > 0 && tries < 50); tries++) {
        await writeStatusesBack(ctx.store, ctx.project, ctx.sync);
        if (ctx.sync.invalid) {
          if (Date.now() >= patience) break;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    };
    await writeBack();
    // Someone was saving the file as the run ended: a save from a copy read just before our last
    // write would undo it with nobody left to write it again. One look a moment later (within the
    // window in which such a save is told from a person's decision) writes our statuses again.
    if (ctx.sync.editedWithin(2000) && !ctx.sync.invalid) {
      await new Promise((r) => setTimeout(r, QueueSync.staleWindowMs / 3));
      await writeBack();
    }
    sayInvalidQueue(ctx);
    if (ctx.sync.invalid) log.warn({ problem: ctx.sync.invalid }, 'queue file is invalid: statuses kept in the state store until it is fixed');
    if (ctx.sync.invalid && ctx.sync.pendingWrites > 0) {
      // Never a silent success: the file people read says something else than what happened.
      code = ExitCode.storageFailed;
      throw new LoopError(
        `could not write the tasks' statuses back to ${ctx.sync.queue.file}: it is not valid now (${ctx.sync.invalid.split('\n')[0]}); they are kept in the state store — fix the file and run again to write them`,
        ExitCode.storageFailed,
      );
    }
  });
  await step(async () => {
    for (const problem of [await flushDeployments(ctx.store, ctx.ws), await flushDecisions(ctx.store, ctx.ws)]) if (problem) warnBehind(ctx, problem);
  });
  stopTracking();
  await step(() => ctx.store.endRun(ctx.runId, code));
  await step(async () => ctx.runner?.stop());
  await step(() => ctx.store.releaseLock(ctx.project, ctx.runId));
  log.info({ exit_code: code, counts: countStatuses(ctx) }, 'run ended');
  log.flush?.();
  await step(() => ctx.store.close());
  return first;
}

/** The gates still open at the end (a task approved under --wait, or in the run, is not waiting any more), each once. */
function stillWaiting(ctx: EngineContext, waiting: RunSummary['waiting']): RunSummary['waiting'] {
  const last = new Map(waiting.map((w) => [w.taskId, w]));
  return [...last.values()].filter((w) => ctx.tasks.get(w.taskId)?.status === 'awaiting_approval');
}

/** A queue file a person's save left invalid, said on screen once per problem (the run goes on with the last valid one). */
function sayInvalidQueue(ctx: EngineContext): void {
  const problem = ctx.sync.invalid;
  if (problem !== undefined && problem !== ctx.invalidSaid) ctx.emitter.emit('queue:invalid', { message: problem });
  ctx.invalidSaid = problem;
}

async function attempt(fn: () => Promise<void>): Promise<unknown> {
  try {
    await fn();
    return undefined;
  } catch (e) {
    return e;
  }
}

/** A failed read or write of the workspace (disk full, read-only, a file in the way) as the one line a person reads. */
function toRunError(e: unknown, ws: Workspace): unknown {
  const sqlite = isStateStoreError(e);
  return toStorageError(e, sqlite ? ws.stateDb : ws.aibrainDir, sqlite ? 'write the state store' : "save the run's records") ?? e;
}

function exitCodeFor(ctx: EngineContext, outcome: 'done' | 'interrupted' | 'aborted' | 'capped' | 'paused'): number {
  if (outcome === 'aborted') return ExitCode.aborted;
  if (outcome === 'paused') return ExitCode.paused;
  if (outcome === 'interrupted') return ExitCode.interrupted;
  const counts = countStatuses(ctx);
  if (counts.failed > 0 || counts.blocked > 0 || outcome === 'capped') return ExitCode.taskFailed;
  // A task waiting for a runner with other labels waits like one waiting for a person.
  if (counts.awaiting_approval > 0 || (ctx.waitingForRunner?.size ?? 0) > 0) return ExitCode.awaitingApproval;
  return ExitCode.done;
}

export function countStatuses(ctx: Pick<EngineContext, 'tasks'>): Record<TaskStatus, number> {
  const counts = Object.fromEntries(TASK_STATUSES.map((s) => [s, 0])) as Record<TaskStatus, number>;
  for (const t of ctx.tasks.values()) counts[t.status]++;
  return counts;
}

async function rollbackUnderWay(store: Store, project: string): Promise<LockResult> {
  const held = await store.lockHolder(project);
  if (!held) return { ok: true };
  if (lockHolderLive(held)) return { ok: false, holder: held };
  // Its process is gone on this host (ended, its pid reused since, an earlier boot): its lock is let
  // go, as one machine's store takes such a lock over — only that run's, never a newer one.
  await store.releaseLock(project, held.run_id);
  return { ok: true, tookOverFrom: held };
}
