import { realpathSync } from 'node:fs';
import path from 'node:path';
import type { IterationContext, IterationResult, PreviousIteration } from '../agents/agent.js';
import { agentPolicy } from '../gates/contract.js';
import type { IterationWithMetrics } from '../state/iteration-metrics.js';
import type { Store } from '../state/store.js';
import { queueFilePath } from '../workspace/paths.js';
import { spentBudget, timeLeftMs, type BudgetUse } from './check-budgets.js';
import { detectStuck, type IterationTrace } from './detect-stuck.js';
import type { VerifyResult } from './verify-gate.js';
import type { EngineContext, TaskState } from './engine-context.js';
import { openIterationLog } from './iteration-log.js';
import { ownPathsIn, workplaceOf } from './task-workplace.js';
import { pushCheckpoint } from './pushed-branches.js';
import { pruneLogs } from './prune-run-logs.js';
import { createStepJournal } from './step-journal.js';

// The coding loop around one iteration (issue 15): budgets, feedback, the log file, checkpoints,
// stuck detection and the figures on record. run-task.ts calls in at three points.

export type BeforeIteration = { stop: 'failed'; reason: string } | { stop: 'capped'; reason: string } | null;

/** The attempt's finished iterations as read before the next one starts (its budget, then its feedback). */
export type AttemptSoFar = IterationWithMetrics[];

/** A budget already spent (this task's, or the run's --max-cost) stops the task before it runs again. */
export async function checkBeforeIteration(ctx: EngineContext, state: TaskState): Promise<{ held: BeforeIteration; done: AttemptSoFar }> {
  const done = await attemptIterations(ctx, state);
  if (ctx.maxCostUsd !== undefined) {
    const spent = await ctx.store.runCost(ctx.runId);
    if (spent >= ctx.maxCostUsd) return { held: { stop: 'capped', reason: `the run reached --max-cost $${ctx.maxCostUsd} (spent $${spent.toFixed(4)})` }, done };
  }
  const budget = spentBudget(state.spec, used(done));
  return { held: budget ? { stop: 'failed', reason: budget.reason } : null, done };
}

export interface IterationExtras {
  context: Pick<IterationContext, 'previous' | 'timeLeftMs' | 'output'>;
  /** After the agent (and the verify gate): the log closed, the checkpoint made, why the task must stop (if it must). */
  finish(result: IterationResult, promiseMet: boolean, error: string, verify: VerifyResult | null): Promise<{ stop: string | null; save(tx: Store): Promise<void> }>;
  /** Cut off (Ctrl-C, a usage-limit pause): the log closed, what the agent spent still on record. */
  cutOff(result: IterationResult): Promise<void>;
}

export async function startIteration(ctx: EngineContext, state: TaskState, n: number, iterationId: number, before: AttemptSoFar): Promise<IterationExtras> {
  const { spec } = state;
  // Before the task's first iteration: what a person had changed or staged, which checkpoints leave alone.
  // (A task in its own worktree has nothing of a person's there.)
  if (n === state.baseIteration + 1 && loopSettings(ctx, state).checkpointEvery !== 'never' && !workplaceOf(ctx, spec.id)) {
    await changedBeforeTask(ctx, state).catch((e: unknown) => {
      untold(ctx).add(spec.id);
      ctx.emitter.emit('warning', { message: `${spec.id}: cannot tell what was changed before the task (${firstLine(e)}): no checkpoints for it` });
    });
  }
  // What the work tree held before the agent: an iteration that changed it made progress (only
  // asked where stuck detection is on; not counted in the iteration's time).
  const fingerprintBefore = loopSettings(ctx, state).stuckAfter !== 'never' ? await fingerprint(ctx, spec.id).catch(() => null) : null;
  const started = Date.now();
  const last = before.at(-1);
  const log = openIterationLog(
    ctx.ws,
    ctx.runId,
    spec.id,
    n,
    (e) => ctx.emitter.emit('warning', { message: `${spec.id}: cannot write the iteration log (${e instanceof Error ? e.message : String(e)})` }),
    ctx.contract.logs.iteration_max_bytes,
  );
  // A PASS without the promise has no error of its own: the task's last error says why it goes on.
  const previous: PreviousIteration | undefined = last ? { verdict: last.verdict, error: last.promise_met ? null : (last.error ?? state.lastError), outputTail: last.output_tail, sessionId: last.session_id } : undefined;
  const left = timeLeftMs(spec, used(before));
  return {
    context: { ...(previous ? { previous } : {}), ...(left !== undefined ? { timeLeftMs: left } : {}), output: (chunk) => log.write(chunk) },
    async finish(result, promiseMet, error, verify) {
      log.close();
      pruneLogs(ctx, { file: path.join(ctx.ws.aibrainDir, log.relative), bytes: log.bytes });
      const durationMs = result.metrics?.durationMs ?? Date.now() - started;
      const m = result.metrics;
      const attemptN = n - state.baseIteration;
      const settings = loopSettings(ctx, state);
      let stop: { kind: string; reason: string } | null = null;
      let progress: { progress: boolean; failed: number | null } | null = null;
      if (!promiseMet && result.verdict !== 'BLOCKED') {
        const now = used(before);
        now.iterations++;
        now.costUsd = add(now.costUsd, m?.costUsd ?? null);
        now.tokens = add(add(now.tokens, m?.inputTokens ?? null), m?.outputTokens ?? null);
        now.runtimeMs += durationMs;
        stop = spentBudget(spec, now);
        if (!stop && settings.stuckAfter !== 'never') {
          const known = progressOf(ctx, spec.id);
          // Iterations of an earlier run: what they made is on record (kept with each iteration).
          for (const i of before) {
            if (known.has(i.n)) continue;
            const row = await ctx.store.step(ctx.project, spec.id, i.n, PROGRESS_STEP);
            if (row?.state === 'done' && row.result) known.set(i.n, JSON.parse(row.result) as { progress: boolean; failed: number | null });
          }
          const changed = fingerprintBefore !== null && (await fingerprint(ctx, spec.id).catch(() => null)) !== fingerprintBefore;
          const previousFailed = before.length > 0 ? (known.get(before[before.length - 1]?.n ?? -1)?.failed ?? null) : null;
          const improved = verify?.failed != null && previousFailed !== null && verify.failed < previousFailed;
          progress = { progress: changed || improved, failed: verify?.failed ?? null };
          known.set(n, progress);
          const traces: IterationTrace[] = [
            ...before.filter((i) => i.state === 'done').map((i) => ({ ...traceOf(i), progress: known.get(i.n)?.progress ?? false })),
            { error: result.verdict === 'FAIL' ? error : null, output: result.output, progress: changed || improved },
          ];
          const stuck = detectStuck(traces, settings.stuckAfter);
          if (stuck) stop = { kind: 'stuck', reason: stuck };
        }
      }
      // In its own worktree a task's kept promise is always committed: its branch is what is merged.
      const due = (settings.checkpointEvery !== 'never' && (attemptN % settings.checkpointEvery === 0 || promiseMet || stop !== null)) || (promiseMet && workplaceOf(ctx, spec.id) !== null);
      const checkpoint = due ? await checkpointAfter(ctx, state, n, `${result.verdict}${promiseMet ? ', promise kept' : ''}`, settings.branch) : null;
      ctx.emitter.emit('iteration:figures', {
        taskId: spec.id,
        iteration: attemptN,
        costUsd: m?.costUsd ?? null,
        tokens: m ? add(m.inputTokens, m.outputTokens) : null,
        turns: m?.turns ?? null,
        durationMs,
        ...(checkpoint ? { checkpoint: checkpoint.commit } : {}),
      });
      return {
        stop: stop?.reason ?? null,
        async save(tx) {
          await saveMetrics(tx, result, durationMs, checkpoint, stop?.kind ?? null);
          if (progress) {
            // With the iteration's end, in its transaction: a later run's stuck check reads it.
            await tx.beginStep(ctx.project, spec.id, n, PROGRESS_STEP);
            await tx.endStep(ctx.project, spec.id, n, PROGRESS_STEP, JSON.stringify(progress));
          }
        },
      };
    },
    async cutOff(result) {
      log.close();
      if (result.metrics) await saveMetrics(ctx.store, result, result.metrics.durationMs || Date.now() - started, null, null);
    },
  };

  function saveMetrics(store: Store, result: IterationResult, durationMs: number, checkpoint: { commit: string; branch: string } | null, stopKind: string | null): Promise<void> {
    const m = result.metrics;
    return store.saveIterationMetrics({
      iteration_id: iterationId,
      project: ctx.project,
      task_id: spec.id,
      n,
      run_id: ctx.runId,
      cost_usd: m?.costUsd ?? null,
      input_tokens: m?.inputTokens ?? null,
      output_tokens: m?.outputTokens ?? null,
      cached_tokens: m?.cachedTokens ?? null,
      turns: m?.turns ?? null,
      duration_ms: durationMs,
      retries: m?.retries ?? 0,
      session_id: m?.sessionId ?? null,
      model: m?.model ?? null,
      checkpoint: checkpoint?.commit ?? null,
      checkpoint_branch: checkpoint?.branch ?? null,
      log_file: log.written ? log.relative : null,
      stop_reason: stopKind,
    });
  }
}

interface LoopSettings {
  checkpointEvery: number | 'never';
  stuckAfter: number | 'never';
  branch: 'current' | 'run';
}

function loopSettings(ctx: EngineContext, state: TaskState): LoopSettings {
  const policy = agentPolicy(ctx.contract, state.spec.agentType);
  const defaults = ctx.registry.has(state.spec.agentType) ? ctx.registry.get(state.spec.agentType).loopDefaults : undefined;
  return {
    checkpointEvery: state.spec.checkpoint ?? policy.checkpoint ?? defaults?.checkpointEvery ?? 'never',
    stuckAfter: state.spec.stuckAfter ?? policy.stuck_after ?? defaults?.stuckAfter ?? 'never',
    branch: policy.checkpoint_branch ?? 'current',
  };
}

const warnedLeftOut = new WeakMap<EngineContext, Set<string>>();
// Tasks of this run whose work tree could not be read before they started: never checkpointed.
const untoldTasks = new WeakMap<EngineContext, Set<string>>();
const untold = (ctx: EngineContext): Set<string> => {
  let set = untoldTasks.get(ctx);
  if (!set) untoldTasks.set(ctx, (set = new Set()));
  return set;
};

let checkpointing: Promise<unknown> = Promise.resolve();
function oneAtATime<T>(fn: () => Promise<T>): Promise<T> {
  const next = checkpointing.then(fn, fn);
  checkpointing = next.catch(() => undefined);
  return next;
}

async function checkpointAfter(ctx: EngineContext, state: TaskState, n: number, outcome: string, branch: 'current' | 'run'): Promise<{ commit: string; branch: string } | null> {
  const { spec } = state;
  const git = await import('../agents/git-checkpoint.js');
  const message = `autonomous-loop: ${spec.id} iteration ${n - state.baseIteration}/${spec.maxIterations} (${outcome})\n\nrun ${ctx.runId}, task ${spec.id}, iteration ${n}`;
  const place = workplaceOf(ctx, spec.id);
  if (place) {
    // The task's own worktree and branch: everything changed there is its work, but the loop's files.
    const own = ownPathsIn(ctx, place);
    let made;
    try {
      made = await git.makeCheckpoint(place.dir, { message, branch: 'current', runBranch: place.branch, exclude: (abs) => abs === own.queue || `${abs}${path.sep}`.startsWith(own.aibrain + path.sep) });
    } catch (e) {
      ctx.emitter.emit('warning', { message: `${spec.id}: no checkpoint after iteration ${n - state.baseIteration}: ${firstLine(e)}` });
      return null;
    }
    if (!made) return null;
    // git.push in the project file: the checkpoint leaves this machine (a failed push is said).
    await pushCheckpoint(ctx, state, n, place);
    return { commit: made.commit, branch: made.branch };
  }
  try {
    // What was changed or staged before the task's first iteration is a person's: never committed.
    if (untold(ctx).has(spec.id)) return null;
    const before = await changedBeforeTask(ctx, state);
    // Not a work tree when the task started: what is in it now cannot be told apart from a person's.
    if (before === null) return null;
    const aibrain = realpathSync(ctx.ws.aibrainDir) + path.sep;
    const queueFile = realpathSync(queueFilePath(ctx.ws, ctx.project));
    const isOwn = (abs: string): boolean => abs.startsWith(aibrain) || abs === queueFile || isQueueTempFile(abs, queueFile);
    const leftOut = new Set(before.filter((p) => !isOwn(p)));
    // One commit at a time: tasks running side by side (--concurrency) share the work tree and HEAD.
    const made = await oneAtATime(() => git.makeCheckpoint(ctx.ws.root, {
      message,
      branch,
      runBranch: `loop/${ctx.runId}`,
      // The loop's own files (.aibrain/, the queue) are not the agent's work either.
      exclude: (abs) => leftOut.has(abs) || isOwn(abs),
    }));
    const warned = warnedLeftOut.get(ctx) ?? new Set<string>();
    warnedLeftOut.set(ctx, warned);
    if (leftOut.size > 0 && !warned.has(spec.id)) {
      warned.add(spec.id);
      const names = [...leftOut].map((p) => path.relative(ctx.ws.root, p));
      ctx.emitter.emit('warning', { message: `${spec.id}: checkpoints leave out ${names.length} file(s) changed or staged before the task started: ${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''}` });
    }
    return made ? { commit: made.commit, branch: made.branch } : null;
  } catch (e) {
    ctx.emitter.emit('warning', { message: `${spec.id}: no checkpoint after iteration ${n - state.baseIteration}: ${firstLine(e)}` });
    return null;
  }
}

/**
 * Journaled with the task's first iteration, so a resumed run knows what was there before: the
 * paths, or null when the folder was not a git work tree then. A failure to tell is thrown, never
 * taken for "nothing was changed".
 */
async function changedBeforeTask(ctx: EngineContext, state: TaskState): Promise<string[] | null> {
  const first = state.baseIteration + 1;
  return createStepJournal(ctx.store, ctx.project, state.spec.id, first).run('checkpoint-baseline', async () => {
    const changed = await (await import('../agents/git-checkpoint.js')).changedPaths(ctx.ws.root);
    if (!changed) return null;
    // The loop's own files are not a person's: the queue file's write-back temp file, .aibrain/.
    const queueFile = realpathSync(queueFilePath(ctx.ws, ctx.project));
    return changed.paths.map((p) => path.join(changed.top, p)).filter((abs) => !isQueueTempFile(abs, queueFile));
  });
}

const PROGRESS_STEP = 'progress';

// Per task of this run: whether each iteration changed the work tree or improved the verify result.
const progressByRun = new WeakMap<EngineContext, Map<string, Map<number, { progress: boolean; failed: number | null }>>>();
function progressOf(ctx: EngineContext, taskId: string): Map<number, { progress: boolean; failed: number | null }> {
  let byTask = progressByRun.get(ctx);
  if (!byTask) progressByRun.set(ctx, (byTask = new Map()));
  let known = byTask.get(taskId);
  if (!known) byTask.set(taskId, (known = new Map()));
  return known;
}

// The work tree apart from the loop's own files (.aibrain/, the queue file and its temp files).
async function fingerprint(ctx: EngineContext, taskId: string): Promise<string | null> {
  const git = await import('../agents/git-checkpoint.js');
  const place = workplaceOf(ctx, taskId);
  if (place) {
    const own = ownPathsIn(ctx, place);
    return git.workTreeFingerprint(place.dir, [own.aibrain, own.queue]);
  }
  const queueFile = realpathSync(queueFilePath(ctx.ws, ctx.project));
  return git.workTreeFingerprint(ctx.ws.root, [realpathSync(ctx.ws.aibrainDir), queueFile, path.join(path.dirname(queueFile), `.${path.basename(queueFile)}.*.tmp`)]);
}

/** The atomic write-back's temp file beside the queue file (`.work_queue_p.json.<pid>.<n>.tmp`). */
function isQueueTempFile(abs: string, queueFile: string): boolean {
  return path.dirname(abs) === path.dirname(queueFile) && path.basename(abs).startsWith(`.${path.basename(queueFile)}.`) && abs.endsWith('.tmp');
}

async function attemptIterations(ctx: EngineContext, state: TaskState): Promise<IterationWithMetrics[]> {
  // An iteration's number is counted with its beginning (one commit): none begun since the base, none done.
  if (state.iterations <= state.baseIteration) return [];
  return (await ctx.store.iterationsWithMetrics(ctx.project, state.spec.id, state.baseIteration + 1)).filter((i) => i.state === 'done');
}

function used(iterations: IterationWithMetrics[]): BudgetUse {
  const use: BudgetUse = { iterations: iterations.length, costUsd: null, tokens: null, runtimeMs: 0 };
  for (const i of iterations) {
    use.costUsd = add(use.costUsd, i.cost_usd);
    use.tokens = add(add(use.tokens, i.input_tokens), i.output_tokens);
    use.runtimeMs += i.duration_ms;
  }
  return use;
}

const traceOf = (i: IterationWithMetrics): IterationTrace => ({ error: i.verdict === 'FAIL' ? i.error : null, output: i.output_tail ?? '' });
const add = (a: number | null, b: number | null): number | null => (b === null ? a : (a ?? 0) + b);

const firstLine = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
