import { targetArgs } from '../workspace/find-workspace.js';
import type { IterationContext, IterationResult } from '../agents/agent.js';
import { evaluateGate, standingDecision } from '../gates/approval-gate.js';
import { recordDecision, type DecisionKind } from '../gates/record-decision.js';
import { redactSecrets } from '../log/redact-secrets.js';
import type { EngineContext, TaskState } from './engine-context.js';
import { saveTask } from './engine-context.js';
import { findPromise } from './find-promise.js';
import { createRecordSink, successfulDeployments } from './record-sink.js';
import { createStepJournal } from './step-journal.js';
import { checkBeforeIteration, startIteration } from './coding-loop.js';
import { faultPoint } from '../workspace/fault-point.js';
import { isStateStoreError } from '../workspace/storage-error.js';
import { isRollbackFailure } from '../agents/rollback-failure.js';

const OUTPUT_TAIL = 4_000;

export type TaskOutcome = 'settled' | 'waiting' | 'capped' | 'interrupted' | 'aborted';

/** One task: its gate, then iterations until the promise is kept or the budget is spent. */
export async function runTask(ctx: EngineContext, state: TaskState): Promise<TaskOutcome> {
  const { spec } = state;
  const agent = ctx.registry.get(spec.agentType);
  const degraded = spec.environment ? ctx.store.environmentHealth(ctx.project).find((h) => h.environment === spec.environment) : undefined;
  if (degraded && (spec.agentType === 'deployment' || spec.agentType === 'migration')) {
    // No automatic attempt into an environment whose rollback failed: a person restores it first.
    saveTask(ctx, state, {
      status: 'blocked',
      reason: `${spec.environment} is DEGRADED since ${degraded.since} (${degraded.reason}); restore it with 'autonomous-loop rollback ${targetArgs(ctx.ws.root, ctx.project)} --env ${spec.environment} --to <version>'`,
    });
    return 'settled';
  }
  const approval = await passGate(ctx, state, (iteration) => iterationContext(ctx, state, iteration, () => null));
  if (approval.outcome !== 'approved') return approval.outcome;

  const firstIteration = state.iterations + 1;
  saveTask(ctx, state, { status: 'in_progress', reason: null });
  ctx.store.addEvent(ctx.project, ctx.runId, spec.id, 'task:start', { firstIteration });
  ctx.emitter.emit('task:start', { taskId: spec.id, agentType: spec.agentType, maxIterations: spec.maxIterations, firstIteration });
  const log = ctx.log.child({ task_id: spec.id });
  log.info({ agent_type: spec.agentType, first_iteration: firstIteration }, 'task started');

  while (state.iterations - state.baseIteration < spec.maxIterations) {
    if (ctx.signal.aborted) return 'interrupted';
    if (ctx.iterationBudget.left <= 0) {
      saveTask(ctx, state, { status: 'pending', reason: 'the run reached --max-iterations' });
      return 'capped';
    }
    const held = checkBeforeIteration(ctx, state); // a spent budget: the task's own, or the run's --max-cost
    if (held) {
      saveTask(ctx, state, { status: held.stop === 'capped' ? 'pending' : 'failed', reason: held.reason });
      return held.stop === 'capped' ? 'capped' : 'settled';
    }
    ctx.iterationBudget.left--;
    const n = state.iterations + 1;
    const iterationId = ctx.store.beginIteration(ctx.project, spec.id, n, ctx.runId);
    saveTask(ctx, state, { iterations: n });
    ctx.emitter.emit('iteration:start', { taskId: spec.id, iteration: n - state.baseIteration, maxIterations: spec.maxIterations });
    const ictx = iterationContext(ctx, state, n, () => approval.by);
    const extras = await startIteration(ctx, state, n, iterationId); // feedback, time left, the log file
    Object.assign(ictx, extras.context);
    faultPoint('iteration:start');
    let result: IterationResult;
    try {
      result = await agent.runIteration(ictx);
    } catch (e) {
      // The loop's own state store failing (disk full, read-only) is not the task failing: the run stops.
      if (isStateStoreError(e)) throw e;
      result = { verdict: 'FAIL', output: '', error: e instanceof Error ? e.message : String(e) };
    }
    if (result.error !== undefined) result = { ...result, error: redactSecrets(result.error) };
    if (ctx.signal.aborted) {
      // Cut off by Ctrl-C: the same iteration runs again on resume.
      ctx.store.endIteration(iterationId, { state: 'interrupted', verdict: null, promiseMet: false, error: 'interrupted', outputTail: tail(result.output) });
      saveTask(ctx, state, { iterations: n - 1 });
      return 'interrupted';
    }
    let promiseMet = result.verdict === 'PASS' && findPromise(result.output, spec.completionPromise, spec.description);
    const ended = { state: 'done' as const, verdict: result.verdict, promiseMet, error: result.error ?? null, outputTail: tail(result.output) };
    const rollbackFailed = result.verdict === 'FAIL' && isRollbackFailure(result.error);
    const lastAllowed = rollbackFailed || n - state.baseIteration >= spec.maxIterations;
    const error = result.error ?? (result.verdict === 'FAIL' ? 'the agent reported FAIL' : `iteration ${n - state.baseIteration} did not emit <promise>${spec.completionPromise}</promise>`);
    const after = await extras.finish(result, promiseMet, error); // checkpoint, budgets, stuck detection
    // The iteration's end and what it means for the task are one commit: a crash between them
    // would run a kept promise again.
    ctx.store.transaction(() => {
      ctx.store.endIteration(iterationId, ended);
      after.save();
      if (promiseMet) saveTask(ctx, state, { status: 'complete', lastError: null, reason: null });
      else if (rollbackFailed) {
        // ROLLBACK FAILED: the environment is degraded, the cascade below stops, no more attempts.
        if (spec.environment) ctx.store.setEnvironmentHealth(ctx.project, spec.environment, error);
        saveTask(ctx, state, { status: 'failed', lastError: error, reason: error });
      } else if (after.stop) {
        saveTask(ctx, state, { status: 'failed', lastError: error, reason: after.stop });
      } else if (result.verdict !== 'BLOCKED') {
        saveTask(ctx, state, lastAllowed ? { status: 'failed', lastError: error, reason: `no promise after ${spec.maxIterations} iteration(s)` } : { lastError: error });
      }
    });
    faultPoint('iteration:end');
    ctx.emitter.emit('iteration:end', { taskId: spec.id, iteration: n - state.baseIteration, verdict: result.verdict, promiseMet, ...(result.error ? { error: result.error } : {}) });
    log.info({ iteration: n, verdict: result.verdict, promise_met: promiseMet, error: result.error }, 'iteration ended');

    if (result.verdict === 'BLOCKED') {
      const choice = await decideOnBlocked(ctx, state, n, result, ictx);
      if (choice === 'aborted') return 'aborted';
      if (choice === 'stopped') return 'settled';
      // Override: the blocked iteration counts as passed. An agent that was stopped before its
      // work (a deployment's pre-flight) runs again with the overridden findings let through.
      if (agent.rerunOnOverride) {
        if (lastAllowed) saveTask(ctx, state, { baseIteration: state.baseIteration + 1 });
        continue;
      }
      saveTask(ctx, state, { status: 'complete', lastError: null, reason: `overridden by ${choice.by}: ${choice.reason}` });
    }
    if (state.status === 'complete') {
      log.info({ iterations: n - state.baseIteration }, 'task complete');
      return 'settled';
    }
    if (state.status === 'failed') break;
  }
  if (state.status === 'failed') {
    log.warn({ last_error: state.lastError }, 'task failed: budget spent');
    return 'settled';
  }
  saveTask(ctx, state, { status: 'failed', reason: `no promise after ${spec.maxIterations} iteration(s)` });
  log.warn({ last_error: state.lastError }, 'task failed: budget spent');
  return 'settled';
}

type GateResult = { outcome: 'approved'; by: string | null } | { outcome: 'settled' | 'waiting' };

async function passGate(ctx: EngineContext, state: TaskState, makeContext: (n: number) => IterationContext): Promise<GateResult> {
  const { spec } = state;
  const need = evaluateGate(spec, ctx.contract, (env) => successfulDeployments(ctx.store, ctx.project, env).length);
  if (need.reasons.length === 0) return { outcome: 'approved', by: null };
  const standing = standingDecision(ctx.store, ctx.project, spec.id, need.fingerprint);
  if (standing?.decision === 'approve') return { outcome: 'approved', by: standing.by };
  if (standing?.decision === 'reject') {
    saveTask(ctx, state, { status: 'blocked', reason: `rejected by ${standing.by}${standing.reason ? `: ${standing.reason}` : ''}` });
    return { outcome: 'settled' };
  }
  const decide = (decision: DecisionKind, by: string, reason: string | null): void => {
    recordDecision(ctx.store, ctx.ws, {
      run_id: ctx.runId,
      project: ctx.project,
      task_id: spec.id,
      decision,
      by,
      reason,
      environment: spec.environment ?? null,
      version: spec.version ?? null,
      fingerprint: need.fingerprint,
    });
  };
  if (ctx.yes && !need.production && ctx.prompter === undefined) {
    decide('approve', `${process.env.USER ?? 'unknown'} (--yes)`, need.reasons.join('; '));
    return { outcome: 'approved', by: `${process.env.USER ?? 'unknown'} (--yes)` };
  }
  if (ctx.yes && !need.production && ctx.prompter) {
    decide('approve', `${ctx.prompter.by} (--yes)`, need.reasons.join('; '));
    return { outcome: 'approved', by: `${ctx.prompter.by} (--yes)` };
  }
  if (ctx.prompter) {
    const agent = ctx.registry.get(spec.agentType);
    const preflight = agent.preflight ? await agent.preflight(makeContext(state.iterations + 1)).catch((e: unknown) => [{ check: 'pre-flight', status: 'failed' as const, detail: String(e) }]) : [];
    const answer = await ctx.prompter.confirmGate({ project: ctx.project, task: spec, reasons: need.reasons, production: need.production, preflight });
    if (answer === 'yes') {
      decide('approve', ctx.prompter.by, need.reasons.join('; '));
      return { outcome: 'approved', by: ctx.prompter.by };
    }
    if (answer === 'no') {
      decide('reject', ctx.prompter.by, 'rejected at the prompt');
      saveTask(ctx, state, { status: 'blocked', reason: `rejected by ${ctx.prompter.by}` });
      return { outcome: 'settled' };
    }
  }
  const approveCommand = `autonomous-loop approve ${spec.id} ${targetArgs(ctx.ws.root, ctx.project)} --by <name>`;
  saveTask(ctx, state, { status: 'awaiting_approval', reason: need.reasons.join('; ') });
  ctx.emitter.emit('task:waiting', { taskId: spec.id, reason: need.reasons.join('; '), approveCommand });
  return { outcome: 'waiting' };
}

/** BLOCKED: a person chooses (R)evert, (O)verride or (A)bort; with nobody there the task stops blocked. */
async function decideOnBlocked(
  ctx: EngineContext,
  state: TaskState,
  n: number,
  result: IterationResult,
  ictx: IterationContext,
): Promise<'stopped' | 'aborted' | { by: string; reason: string }> {
  const { spec } = state;
  const agent = ctx.registry.get(spec.agentType);
  const error = result.error ?? 'a guardrail blocked the task';
  const rules = blockingRules(result);
  const base = { run_id: ctx.runId, project: ctx.project, task_id: spec.id, environment: spec.environment ?? null, version: spec.version ?? null };
  // A person overrode exactly these findings already (`autonomous-loop override`, or at a prompt).
  const earlier = overriddenRules(ctx, spec.id);
  const standing = rules.length > 0 && rules.every((r) => earlier.rules.has(r));
  if (standing) return { by: earlier.by ?? 'unknown', reason: earlier.reason ?? 'overridden earlier' };
  const canRevert = agent.revert !== undefined && (agent.canRevert ? await agent.canRevert(ictx) : true);
  const answer = ctx.prompter
    ? await ctx.prompter.chooseOnBlocked({ project: ctx.project, task: spec, iteration: n, error, findings: result.findings ?? [], canRevert })
    : 'timeout';
  if (answer === 'timeout') {
    recordDecision(ctx.store, ctx.ws, { ...base, decision: 'veto', by: 'autonomous-loop', reason: error, fingerprint: `veto:${rules.join(',')}` });
    saveTask(ctx, state, { status: 'blocked', lastError: error, reason: error });
    return 'stopped';
  }
  const by = ctx.prompter?.by ?? 'unknown';
  if (answer.choice === 'override') {
    recordDecision(ctx.store, ctx.ws, { ...base, decision: 'override', by, reason: answer.reason, fingerprint: `override:${rules.join(',')}` });
    return { by, reason: answer.reason };
  }
  if (answer.choice === 'abort') {
    recordDecision(ctx.store, ctx.ws, { ...base, decision: 'abort', by, reason: error, fingerprint: null });
    saveTask(ctx, state, { status: 'pending', lastError: error, reason: `aborted by ${by}` });
    ctx.aborted = { by };
    return 'aborted';
  }
  const undone = agent.revert ? await agent.revert(ictx).catch((e: unknown) => `revert failed: ${e instanceof Error ? e.message : String(e)}`) : 'nothing to revert';
  recordDecision(ctx.store, ctx.ws, { ...base, decision: 'revert', by, reason: `${error}; ${undone}`, fingerprint: null });
  saveTask(ctx, state, { status: 'blocked', lastError: error, reason: `reverted by ${by}: ${undone}` });
  return 'stopped';
}

/** Who or what blocked: the rule ids of the findings (an agent's own verdict is `agent-blocked`). */
function blockingRules(result: IterationResult): string[] {
  return [...new Set((result.findings ?? []).map((f) => f.rule))].sort();
}

/** The findings a person has overridden for this task (override decisions name their rules). */
function overriddenRules(ctx: EngineContext, taskId: string): { rules: Set<string>; by: string | undefined; reason: string | undefined } {
  const rules = new Set<string>();
  let by: string | undefined;
  let reason: string | undefined;
  for (const d of ctx.store.taskDecisions(ctx.project, taskId)) {
    if (d.decision !== 'override' || !d.fingerprint?.startsWith('override:')) continue;
    for (const r of d.fingerprint.slice('override:'.length).split(',')) if (r) rules.add(r);
    const record = JSON.parse(d.record) as { by?: string; reason?: string | null };
    by = record.by ?? by;
    reason = record.reason ?? reason;
  }
  return { rules, by, reason };
}

function iterationContext(ctx: EngineContext, state: TaskState, n: number, approvedBy: () => string | null): IterationContext {
  const { spec } = state;
  return {
    project: ctx.project,
    task: spec,
    iteration: n,
    attemptIteration: n - state.baseIteration,
    runId: ctx.runId,
    workspace: ctx.ws,
    signal: ctx.signal,
    log: ctx.log.child({ task_id: spec.id, iteration: n }),
    steps: createStepJournal(ctx.store, ctx.project, spec.id, n),
    records: createRecordSink(ctx.store, ctx.ws, ctx.project, spec.id, n, approvedBy),
    ask: ctx.prompter ? ctx.prompter.ask : async () => 'unavailable',
    overridden: overriddenRules(ctx, spec.id).rules,
    progress: (line) => ctx.emitter.emit('iteration:output', { taskId: spec.id, iteration: n - state.baseIteration, line: redactSecrets(line) }),
  };
}

// Redacted before it is cut: a secret across the cut would otherwise leave its end behind.
const tail = (s: string): string => {
  const redacted = redactSecrets(s);
  return redacted.length > OUTPUT_TAIL ? redacted.slice(-OUTPUT_TAIL) : redacted;
};
