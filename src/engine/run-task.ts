import { targetArgs } from '../workspace/find-workspace.js';
import { notifyPeople } from './notify-people.js';
import { decideAfterProductionFailure, decideOnBlocked, overriddenRules } from './ask-a-person.js';
import type { GatePreparation, IterationContext, IterationResult, PreflightCheck } from '../agents/agent.js';
import { prepareGate } from './prepare-gate.js';
import { describeStaleApproval, evaluateGate, refuseApprovalUse, refuseApprover, standingDecision, type ApprovalSubject } from '../gates/approval-gate.js';
import { FingerprintError } from '../agents/deploy/fingerprint-folder.js';
import { osUser, recordDecision, type DecisionKind } from '../records/decision-record.js';
import { needsSignature, type DecisionSignature } from '../gates/signed-approval.js';
import { refuseUnverifiedUse, signAtPrompt } from './signed-decision.js';
import { describeApprovalSubject } from './approval-subject.js';
import { describeCascade } from './describe-gate.js';
import { watchDecisionElsewhere } from './decided-elsewhere.js';
import { redactSecrets } from '../log/redact-secrets.js';
import type { EngineContext, TaskState } from './engine-context.js';
import { taskStart } from './task-start.js';
import { saveTask } from './engine-context.js';
import { findPromise } from './find-promise.js';
import { deploymentCount } from '../records/deployment-record.js';
import { createRecordSink, warnBehind } from './record-sink.js';
import { CutOffStepError, createStepJournal, deferSteps } from './step-journal.js';
import { checkBeforeIteration, startIteration } from './coding-loop.js';
import { runVerifyGate } from './verify-gate.js';
import { mergeCompleted, openWorkplace, workplaceOf } from './task-workplace.js';
import { faultPause, faultPoint } from '../workspace/fault-point.js';
import { isStateStoreError } from '../workspace/storage-error.js';
import { isRollbackFailure } from '../agents/rollback-failure.js';

const OUTPUT_TAIL = 4_000;
const STEP_AGENTS = new Set(['deployment', 'migration', 'rollback', 'readiness']);

export type TaskOutcome = 'settled' | 'waiting' | 'capped' | 'interrupted' | 'aborted' | 'paused';

/** One task: its gate, then iterations until the promise is kept or the budget is spent. */
export async function runTask(ctx: EngineContext, state: TaskState): Promise<TaskOutcome> {
  const { spec } = state;
  const agent = ctx.registry.get(spec.agentType);
  const degraded = spec.environment ? (await ctx.store.environmentHealth(ctx.project)).find((h) => h.environment === spec.environment) : undefined;
  if (degraded && (spec.agentType === 'deployment' || spec.agentType === 'migration')) {
    // No automatic attempt into an environment whose rollback failed: a person restores it first.
    await saveTask(ctx, state, {
      status: 'blocked',
      reason: `${spec.environment} is DEGRADED since ${degraded.since} (${degraded.reason}); restore it with 'autonomous-loop rollback ${targetArgs(ctx.ws.root, ctx.project)} --env ${spec.environment} --to <version>'`,
    });
    return 'settled';
  }
  const prepared = await prepareGate(ctx, state, agent, () => iterationContext(ctx, state, state.iterations + 1, () => null));
  if (prepared.stop) return prepared.stop;
  const approval = await passGate(ctx, state, (iteration) => iterationContext(ctx, state, iteration, () => null), prepared.prep);
  if (approval.outcome !== 'approved') return approval.outcome;
  if (ctx.signal.aborted) return 'interrupted'; // Ctrl-C while it was at its gate: it does not start

  const firstIteration = state.iterations + 1;
  try {
    await openWorkplace(ctx, state); // a coding task's own worktree and branch, in a git repository
  } catch (e) {
    if (isStateStoreError(e)) throw e;
    // Never in the person's work tree instead: said, and the task waits for a person.
    await saveTask(ctx, state, { status: 'blocked', reason: `cannot make the task's own worktree: ${e instanceof Error ? e.message : String(e)}` });
    return 'settled';
  }
  const log = ctx.log.child({ task_id: spec.id });
  const start = taskStart(ctx, state, firstIteration, log);

  while (state.iterations - state.baseIteration < spec.maxIterations) {
    if (ctx.signal.aborted) {
      await start.alone();
      return 'interrupted';
    }
    if (ctx.iterationBudget.left <= 0) {
      await start.alone();
      await saveTask(ctx, state, { status: 'pending', reason: 'the run reached --max-iterations' });
      return 'capped';
    }
    const { held, done } = await checkBeforeIteration(ctx, state); // a spent budget: the task's own, or the run's --max-cost
    if (held) {
      await start.alone();
      await saveTask(ctx, state, { status: held.stop === 'capped' ? 'pending' : 'failed', reason: held.reason });
      return held.stop === 'capped' ? 'capped' : 'settled';
    }
    ctx.iterationBudget.left--;
    const n = state.iterations + 1;
    // Its id and the task's decisions: read with the commit, not awaited inside (state/pg-later.ts).
    const begun = await ctx.store.transaction(async (tx) => {
      await start.withFirstIteration(tx);
      const id = tx.beginIteration(ctx.project, spec.id, n, ctx.runId);
      await saveTask(ctx, state, { iterations: n }, tx);
      return { id, decisions: tx.taskDecisions(ctx.project, spec.id) };
    });
    const iterationId = await begun.id;
    start.committed();
    ctx.emitter.emit('iteration:start', { taskId: spec.id, iteration: n - state.baseIteration, maxIterations: spec.maxIterations });
    const ictx = await iterationContext(ctx, state, n, () => approval.by, await begun.decisions);
    const extras = await startIteration(ctx, state, n, iterationId, done); // feedback, time left, the log file
    Object.assign(ictx, extras.context);
    const writeLog = ictx.output;
    if (STEP_AGENTS.has(spec.agentType) && writeLog) {
      // The steps of a deployment, migration or rollback go to the iteration's log too (`logs TASK`).
      const show = ictx.progress;
      ictx.progress = (line) => {
        show(line);
        writeLog(`${redactSecrets(line)}\n`);
      };
    }
    faultPoint('iteration:start');
    let result: IterationResult;
    try {
      result = await agent.runIteration(ictx);
    } catch (e) {
      // The loop's own state store failing (disk full, read-only) is not the task failing: the run stops.
      if (isStateStoreError(e)) throw e;
      if (e instanceof CutOffStepError) {
        // Not safe to redo: on the record as interrupted, and a person decides (the gate asks).
        await ctx.store.endIteration(iterationId, { state: 'interrupted', verdict: null, promiseMet: false, error: e.message, outputTail: null });
        await saveTask(ctx, state, { iterations: n - 1, lastError: e.message });
        await recordInterrupted(ctx, state, n, e);
        const again = await passGate(ctx, state, (i) => iterationContext(ctx, state, i, () => null));
        if (again.outcome !== 'approved') return again.outcome;
        continue;
      }
      result = { verdict: 'FAIL', output: '', error: e instanceof Error ? e.message : String(e) };
    }
    if (result.error !== undefined) result = { ...result, error: redactSecrets(result.error) };
    if (result.pauseUntil !== undefined) {
      // A usage limit past the wait the contract allows: not the task failing. The iteration is not
      // spent (it runs again under its own number) and the run stops, resumable after the reset.
      const reason = `${result.error ?? 'usage limit'}: resumes at ${new Date(result.pauseUntil).toISOString()}`;
      await ctx.store.endIteration(iterationId, { state: 'interrupted', verdict: null, promiseMet: false, error: reason, outputTail: tail(result.output) });
      await extras.cutOff(result);
      await saveTask(ctx, state, { iterations: n - 1, status: 'pending', reason });
      if (!ctx.paused || ctx.paused.until < result.pauseUntil) ctx.paused = { until: result.pauseUntil, reason };
      return 'paused';
    }
    // The verify gate (tests, lint): the promise counts only when every command passes.
    const verify = result.verdict === 'PASS' && !ctx.signal.aborted ? await runVerifyGate(ctx, state, ictx.workDir ?? ctx.ws.root, ictx.progress) : null;
    if (verify && !verify.ok) result = { ...result, verdict: 'FAIL', error: verify.feedback };
    if (ctx.signal.aborted) {
      // Cut off by Ctrl-C: the same iteration runs again on resume.
      await ctx.store.endIteration(iterationId, { state: 'interrupted', verdict: null, promiseMet: false, error: 'interrupted', outputTail: tail(result.output) });
      await extras.cutOff(result); // what the cut-off iteration spent stays on record
      await saveTask(ctx, state, { iterations: n - 1 });
      return 'interrupted';
    }
    let promiseMet = result.verdict === 'PASS' && findPromise(result.finalAnswer ?? result.output, spec.completionPromise, spec.description);
    const ended = { state: 'done' as const, verdict: result.verdict, promiseMet, error: result.error ?? null, outputTail: tail(result.output) };
    const rollbackFailed = result.verdict === 'FAIL' && isRollbackFailure(result.error);
    // A program that cannot start is not retried: the same iteration would fail the same way.
    const lastAllowed = rollbackFailed || (result.verdict === 'FAIL' && result.fatal === true) || n - state.baseIteration >= spec.maxIterations;
    const error = result.error ?? (result.verdict === 'FAIL' ? 'the agent reported FAIL' : `iteration ${n - state.baseIteration} did not emit <promise>${spec.completionPromise}</promise>`);
    const after = await extras.finish(result, promiseMet, error, verify); // checkpoint, budgets, stuck detection
    // Kept: the task's branch goes into the base branch, or waits (complete, the reason says why).
    const place = promiseMet ? workplaceOf(ctx, spec.id) : null;
    const mergeWait = place ? await mergeCompleted(ctx, place, ictx.progress) : null;
    if (mergeWait) ctx.emitter.emit('warning', { message: `${spec.id}: ${mergeWait}` });
    // The iteration's end and what it means for the task are one commit: a crash between them
    // would run a kept promise again.
    await ctx.store.transaction(async (tx) => {
      await tx.endIteration(iterationId, ended);
      await faultPause('iteration:end-tx');
      await after.save(tx);
      if (promiseMet) await saveTask(ctx, state, { status: 'complete', lastError: null, reason: mergeWait }, tx);
      else if (rollbackFailed) {
        // ROLLBACK FAILED: the environment is degraded, the cascade below stops, no more attempts.
        if (spec.environment) await tx.setEnvironmentHealth(ctx.project, spec.environment, error);
        await saveTask(ctx, state, { status: 'failed', lastError: error, reason: error }, tx);
      } else if (after.stop) {
        await saveTask(ctx, state, { status: 'failed', lastError: error, reason: after.stop }, tx);
      } else if (result.verdict !== 'BLOCKED') {
        const reason = result.fatal ? error : `no promise after ${n - state.baseIteration} iteration(s)`;
        await saveTask(ctx, state, lastAllowed ? { status: 'failed', lastError: error, reason } : { lastError: error }, tx);
      }
    });
    faultPoint('iteration:end');
    ctx.emitter.emit('iteration:end', { taskId: spec.id, iteration: n - state.baseIteration, verdict: result.verdict, promiseMet, ...(result.error ? { error: result.error } : {}), ...(verify ? { verify: verify.summary } : {}) });
    log.info({ iteration: n, verdict: result.verdict, promise_met: promiseMet, error: result.error }, 'iteration ended');

    if (result.verdict === 'BLOCKED') {
      const choice = await decideOnBlocked(ctx, state, n, result, ictx);
      if (choice === 'aborted') return 'aborted';
      if (choice === 'stopped') return 'settled';
      // Override: the blocked iteration counts as passed. An agent that was stopped before its
      // work (a deployment's pre-flight) runs again with the overridden findings let through.
      if (agent.rerunOnOverride) {
        if (lastAllowed) await saveTask(ctx, state, { baseIteration: state.baseIteration + 1 });
        continue;
      }
      await saveTask(ctx, state, { status: 'complete', lastError: null, reason: `overridden by ${choice.by}: ${choice.reason}` });
    }
    if (state.status === 'complete') {
      log.info({ iterations: n - state.baseIteration }, 'task complete');
      return 'settled';
    }
    if (state.status === 'failed') break;
    if (result.verdict === 'FAIL' && spec.environment === 'production' && (spec.agentType === 'deployment' || spec.agentType === 'migration')) {
      // Never again into production by itself: a person says retry, leave it, or roll back.
      const next = await decideAfterProductionFailure(ctx, state, error);
      if (next !== 'retry') return next;
    }
  }
  await start.alone(); // a budget spent before this run: started and failed, on record as it was
  if (state.status === 'failed') {
    log.warn({ last_error: state.lastError }, 'task failed: budget spent');
    return 'settled';
  }
  await saveTask(ctx, state, { status: 'failed', reason: `no promise after ${spec.maxIterations} iteration(s)` });
  log.warn({ last_error: state.lastError }, 'task failed: budget spent');
  return 'settled';
}

type GateResult = { outcome: 'approved'; by: string | null } | { outcome: 'settled' | 'waiting' };

async function passGate(ctx: EngineContext, state: TaskState, makeContext: (n: number) => Promise<IterationContext>, prepared?: GatePreparation): Promise<GateResult> {
  const { spec } = state;
  const deployed = await deploymentCount(ctx.store, ctx.project, spec.environment);
  // Whether a person is needed does not depend on the project's files: the files are read only then.
  const light = await describeApprovalSubject(ctx.ws, ctx.project, spec, ctx.contract, ctx.store, 'light');
  const agentReasons = await ownGateReasons(ctx, state, makeContext);
  if (evaluateGate(spec, ctx.contract, () => deployed, light).reasons.length === 0 && !prepared?.reasons.length && agentReasons.length === 0) return { outcome: 'approved', by: null };
  // The subject is computed after the pre-flight (DESIGN): what the pre-flight's commands changed or
  // generated is what an approval holds, and what the deployment after it runs.
  const { checks: preflight, keep: keepPreflight } = await runGatePreflight(ctx, state, makeContext);
  let subject: ApprovalSubject;
  try {
    subject = await describeApprovalSubject(ctx.ws, ctx.project, spec, ctx.contract, ctx.store);
  } catch (e) {
    if (!(e instanceof FingerprintError)) throw e;
    // No approval can hold for what cannot be fingerprinted: said, and nothing runs.
    await saveTask(ctx, state, { status: 'blocked', reason: `what ${spec.id} would run cannot be fingerprinted for an approval: ${e.message}` });
    return { outcome: 'settled' };
  }
  const need = evaluateGate(spec, ctx.contract, () => deployed, subject);
  if (prepared) need.reasons.push(...prepared.reasons);
  if (agentReasons.length > 0) {
    // The agent's own reasons (data a rollback would drop) are a person's call: no flag passes them.
    need.reasons.push(...agentReasons);
    need.taskRequires = true;
  }
  if (need.reasons.length === 0) {
    await keepPreflight();
    return { outcome: 'approved', by: null };
  }
  // Stored with the waiting task: `approve` signs this subject, `status --json` shows it.
  await ctx.store.saveGateSubject(ctx.project, spec.id, need.fingerprint, JSON.stringify(subject));
  // The attempt this approval lets run: a production (or provisioning) approval is used by it, once.
  const attempt = state.baseIteration;
  const standing = await standingDecision(ctx.store, ctx.project, spec.id, need.fingerprint, attempt);
  // Checked when it is used, never hashed: the approver still on the list, and not who runs it.
  const verified = needsSignature(ctx.contract, spec.environment);
  const refusedUse =
    (standing?.decision === 'approve' && need.singleUse ? refuseApprovalUse(ctx.contract, standing, { osUser: osUser(), by: ctx.prompter?.by ?? null }) : undefined) ??
    (standing?.decision === 'approve' && verified ? await refuseUnverifiedUse(ctx, standing) : undefined);
  if (standing?.decision === 'approve' && !refusedUse) {
    if (need.singleUse) await ctx.store.useApproval(ctx.project, spec.id, standing.id, attempt, ctx.runId);
    await keepPreflight();
    return { outcome: 'approved', by: standing.by };
  }
  if (standing?.decision === 'reject') {
    await saveTask(ctx, state, { status: 'blocked', reason: `rejected by ${standing.by}${standing.reason ? `: ${standing.reason}` : ''}` });
    return { outcome: 'settled' };
  }
  const stale = refusedUse ? [refusedUse] : await describeStaleApproval(ctx.store, ctx.project, spec.id, subject, need.fingerprint, attempt);
  const decide = async (decision: DecisionKind, by: string, reason: string | null, signature?: DecisionSignature): Promise<void> => {
    const record = await recordDecision(ctx.store, ctx.ws, {
      run_id: ctx.runId,
      project: ctx.project,
      task_id: spec.id,
      decision,
      by,
      reason,
      environment: spec.environment ?? null,
      version: spec.version ?? null,
      fingerprint: need.fingerprint,
      subject,
      ...(signature ? { signature } : {}),
    });
    if (decision === 'approve' && need.singleUse) await ctx.store.useApproval(ctx.project, spec.id, record.id, attempt, ctx.runId);
  };
  // --yes passes the environment gates of development and staging only: never production, never
  // a task's own requires_approval.
  if (ctx.yes && !need.production && !need.taskRequires && !verified) {
    const by = `${ctx.prompter?.by ?? osUser()} (--yes)`;
    await decide('approve', by, need.reasons.join('; '));
    await keepPreflight();
    return { outcome: 'approved', by };
  }
  let unsigned: string | undefined;
  const refused = need.singleUse ? refuseApprover(ctx.contract, { by: ctx.prompter?.by ?? osUser(), osUser: osUser() }, { osUser: osUser(), by: ctx.prompter?.by ?? null }) : undefined;
  if (ctx.prompter) {
    const cascade = await describeCascade(ctx.store, ctx.project, spec);
    // While the question is open the task is waiting for a person, and says so (`status`, `approve`
    // from another shell, which answers the open question).
    await saveTask(ctx, state, { status: 'awaiting_approval', reason: redactSecrets([...need.reasons, ...stale].join('; ')) });
    const elsewhere = refused ? undefined : watchDecisionElsewhere(ctx, spec.id, need.fingerprint, attempt, need.singleUse);
    const answer = await ctx.prompter
      .confirmGate({ project: ctx.project, task: spec, reasons: need.reasons, production: need.production, preflight, changes: stale, cascade, ...(refused ? { refused } : {}), ...(prepared ? { details: { title: prepared.title, lines: prepared.lines } } : {}), ...(elsewhere ? { decidedElsewhere: elsewhere.decided } : {}) })
      .finally(() => elsewhere?.stop());
    // Decided from another shell: recorded there; the gate takes it as a standing decision.
    if (answer === 'elsewhere') return passGate(ctx, state, makeContext, prepared);
    // verified_approvals: the yes is signed with the approver's key through ssh-agent, or it does not count
    const signed = answer === 'yes' && !refused && verified ? await signAtPrompt(ctx, spec, ctx.prompter.by, need.fingerprint) : undefined;
    if (typeof signed === 'string') unsigned = signed;
    else if (answer === 'yes' && !refused) {
      await decide('approve', ctx.prompter.by, need.reasons.join('; '), signed);
      await keepPreflight();
      return { outcome: 'approved', by: ctx.prompter.by };
    }
    if (answer === 'no' && !refused) {
      await decide('reject', ctx.prompter.by, 'rejected at the prompt');
      await prepared?.onRejected?.(ctx.prompter.by);
      await saveTask(ctx, state, { status: 'blocked', reason: `rejected by ${ctx.prompter.by}` });
      return { outcome: 'settled' };
    }
  }
  const approveCommand = `autonomous-loop approve ${spec.id} ${targetArgs(ctx.ws.root, ctx.project)} --by <name>${verified ? ' --sign' : ''}`;
  const why = redactSecrets([...need.reasons, ...stale, ...(refused && ctx.prompter ? [refused] : []), ...(unsigned ? [unsigned] : [])].join('; '));
  await saveTask(ctx, state, { status: 'awaiting_approval', reason: why });
  ctx.emitter.emit('task:waiting', { taskId: spec.id, reason: why, approveCommand });
  await notifyPeople(ctx, 'gate', spec, why, approveCommand);
  return { outcome: 'waiting' };
}

// The agent's pre-flight, run at the gate before the subject is computed, for the coming iteration.
// Its steps are kept for that iteration only when the gate lets the task run now (deferSteps).
async function runGatePreflight(ctx: EngineContext, state: TaskState, makeContext: (n: number) => Promise<IterationContext>): Promise<{ checks: PreflightCheck[]; keep: () => Promise<void> }> {
  const agent = ctx.registry.get(state.spec.agentType);
  if (!agent.preflight) return { checks: [], keep: async () => {} };
  const ictx = await makeContext(state.iterations + 1);
  const steps = deferSteps(ictx.steps);
  try {
    return { checks: await agent.preflight({ ...ictx, steps }), keep: () => steps.keep() };
  } catch (e) {
    if (isStateStoreError(e)) throw e;
    return { checks: [{ check: 'pre-flight', status: 'failed', detail: e instanceof Error ? e.message : String(e) }], keep: async () => {} };
  }
}

// Why the agent itself wants a person here; a question it cannot answer asks a person too (fail closed).
async function ownGateReasons(ctx: EngineContext, state: TaskState, makeContext: (n: number) => Promise<IterationContext>): Promise<string[]> {
  const agent = ctx.registry.get(state.spec.agentType);
  if (!agent.gateReasons) return [];
  try {
    return await agent.gateReasons(await makeContext(state.iterations + 1));
  } catch (e) {
    return [`could not tell what the task would undo: ${e instanceof Error ? e.message : String(e)}`];
  }
}

/** The attempt a crash cut off at a step not safe to redo, on the record as `interrupted`. */
async function recordInterrupted(ctx: EngineContext, state: TaskState, n: number, e: CutOffStepError): Promise<void> {
  const { spec } = state;
  if (!spec.environment || spec.version === undefined) return;
  const at = new Date().toISOString();
  await createRecordSink(ctx.store, ctx.ws, ctx.project, `${spec.id}:cut:${e.step}`, n, () => null, (problem) => warnBehind(ctx, problem)).recordDeployment({
    task_id: spec.id,
    environment: spec.environment,
    version: spec.version,
    status: 'interrupted',
    started_at: at,
    completed_at: at,
    iterations: n,
    migrations_run: [],
    errors: [e.message],
    warnings: [],
    rollback_executed: false,
    approved_by: null,
    commit: null,
  });
}

async function iterationContext(ctx: EngineContext, state: TaskState, n: number, approvedBy: () => string | null, decisions?: Parameters<typeof overriddenRules>[2]): Promise<IterationContext> {
  const { spec } = state;
  const place = workplaceOf(ctx, spec.id);
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
    records: createRecordSink(ctx.store, ctx.ws, ctx.project, spec.id, n, approvedBy, (problem) => warnBehind(ctx, problem), ctx.runId),
    ask: ctx.prompter ? ctx.prompter.ask : async () => 'unavailable',
    approvedBy,
    overridden: (await overriddenRules(ctx, spec.id, decisions)).rules,
    ...(place ? { workDir: place.dir } : {}),
    progress: (line) => {
      const redacted = redactSecrets(line);
      ctx.output?.add(spec.id, n, redacted);
      ctx.emitter.emit('iteration:output', { taskId: spec.id, iteration: n - state.baseIteration, line: redacted });
    },
  };
}

// Redacted before it is cut: a secret across the cut would otherwise leave its end behind.
const tail = (s: string): string => {
  const redacted = redactSecrets(s);
  return redacted.length > OUTPUT_TAIL ? redacted.slice(-OUTPUT_TAIL) : redacted;
};
