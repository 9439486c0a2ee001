import type { IterationContext, IterationResult } from '../agents/agent.js';
import { refuseApprover } from '../gates/approval-gate.js';
import { osUser, recordDecision, type DecisionRecord } from '../records/decision-record.js';
import { needsSignature } from '../gates/signed-approval.js';
import { refuseRecordedSignature, signAtPrompt } from './signed-decision.js';
import { targetArgs } from '../workspace/find-workspace.js';
import type { EngineContext, TaskState } from './engine-context.js';
import type { StoredDecision } from '../state/store.js';
import { saveTask } from './engine-context.js';
import { notifyPeople } from './notify-people.js';
import { successfulDeployments } from '../records/deployment-record.js';

// Where a task meets a person after it ran: BLOCKED (revert, override, abort) and a failed
// production deployment (retry or leave it). The gate before a task is in run-task.ts.

/** BLOCKED: a person chooses (R)evert, (O)verride or (A)bort; with nobody there the task stops blocked. */
export async function decideOnBlocked(
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
  const earlier = await overriddenRules(ctx, spec.id);
  const standing = rules.length > 0 && rules.every((r) => earlier.rules.has(r));
  if (standing) return { by: earlier.by ?? 'unknown', reason: earlier.reason ?? 'overridden earlier' };
  const canRevert = agent.revert !== undefined && (agent.canRevert ? await agent.canRevert(ictx) : true);
  const answer = ctx.prompter
    ? await ctx.prompter.chooseOnBlocked({ project: ctx.project, task: spec, iteration: n, error, findings: result.findings ?? [], canRevert })
    : 'timeout';
  if (answer === 'timeout' && ctx.signal.aborted) {
    // Ctrl-C or a closed terminal (SIGHUP) at the prompt: nobody decided. Nothing is recorded; the
    // blocked iteration does not count against the budget, so the next run asks again (never fails it).
    await saveTask(ctx, state, { status: 'pending', iterations: n - 1, lastError: error, reason: 'interrupted at the (R)evert / (O)verride / (A)bort prompt: the next run asks again' });
    return 'stopped';
  }
  if (answer === 'timeout') {
    await recordDecision(ctx.store, ctx.ws, { ...base, decision: 'veto', by: 'autonomous-loop', reason: error, fingerprint: `veto:${rules.join(',')}` });
    await saveTask(ctx, state, { status: 'blocked', lastError: error, reason: error });
    ctx.vetoed.add(spec.id);
    await notifyPeople(ctx, 'blocked', spec, error, `autonomous-loop override ${spec.id} ${targetArgs(ctx.ws.root, ctx.project)} --by <name> --reason "..."`);
    return 'stopped';
  }
  const by = ctx.prompter?.by ?? 'unknown';
  if (answer.choice === 'override' && spec.environment === 'production') {
    // Overriding a production block is a production decision: only the contract's approvers make it.
    const refused = refuseApprover(ctx.contract, { by, osUser: osUser() });
    if (refused) {
      await recordDecision(ctx.store, ctx.ws, { ...base, decision: 'veto', by: 'autonomous-loop', reason: `${error} (${refused})`, fingerprint: `veto:${rules.join(',')}` });
      await saveTask(ctx, state, { status: 'blocked', lastError: error, reason: `${error}; override refused: ${refused}` });
      return 'stopped';
    }
  }
  if (answer.choice === 'override') {
    const fingerprint = `override:${rules.join(',')}`;
    // verified_approvals: the override is signed with the approver's key through ssh-agent, or it is not made
    const signed = needsSignature(ctx.contract, spec.environment) ? await signAtPrompt(ctx, spec, by, fingerprint, 'override') : undefined;
    if (typeof signed === 'string') {
      await recordDecision(ctx.store, ctx.ws, { ...base, decision: 'veto', by: 'autonomous-loop', reason: `${error} (${signed})`, fingerprint: `veto:${rules.join(',')}` });
      await saveTask(ctx, state, { status: 'blocked', lastError: error, reason: `${error}; override ${signed}` });
      return 'stopped';
    }
    await recordDecision(ctx.store, ctx.ws, { ...base, decision: 'override', by, reason: answer.reason, fingerprint, ...(signed ? { signature: signed } : {}) });
    return { by, reason: answer.reason };
  }
  if (answer.choice === 'abort') {
    await recordDecision(ctx.store, ctx.ws, { ...base, decision: 'abort', by, reason: error, fingerprint: null });
    await saveTask(ctx, state, { status: 'pending', lastError: error, reason: `aborted by ${by}` });
    ctx.aborted = { by };
    return 'aborted';
  }
  const undone = agent.revert ? await agent.revert(ictx).catch((e: unknown) => `revert failed: ${e instanceof Error ? e.message : String(e)}`) : 'nothing to revert';
  await recordDecision(ctx.store, ctx.ws, { ...base, decision: 'revert', by, reason: `${error}; ${undone}`, fingerprint: null });
  await saveTask(ctx, state, { status: 'blocked', lastError: error, reason: `reverted by ${by}: ${undone}` });
  return 'stopped';
}

/**
 * A production deployment failed. At a terminal a person chooses: retry (a new, recorded
 * approval) or leave it (the task fails; the rollback was offered by the agent already). With
 * nobody there the task waits for an approval of a new attempt, and the rollback is proposed.
 */
export async function decideAfterProductionFailure(ctx: EngineContext, state: TaskState, error: string): Promise<'retry' | 'settled' | 'waiting'> {
  const { spec } = state;
  const lastGood = (await successfulDeployments(ctx.store, ctx.project, 'production'))[0]?.version;
  const target = targetArgs(ctx.ws.root, ctx.project);
  const rollback = lastGood ? `autonomous-loop rollback ${target} --env production --to ${lastGood}` : undefined;
  const refused = ctx.prompter ? refuseApprover(ctx.contract, { by: ctx.prompter.by, osUser: osUser() }, { osUser: osUser(), by: ctx.prompter.by }) : undefined;
  if (ctx.prompter && !refused) {
    const answer = await ctx.prompter.ask({
      title: `Retry the PRODUCTION deployment of ${spec.version ?? spec.id}?`,
      environment: 'production',
      lines: [
        `Task:     ${spec.id}`,
        `Failed:   ${error}`,
        `Last good production version: ${lastGood ?? 'none on record'}`,
        'y: deploy it again now (your approval is recorded) · N: leave it as it is (the task fails)',
        ...(rollback ? [`To roll back later: ${rollback}`] : []),
      ],
    });
    if (answer === 'yes') {
      await recordDecision(ctx.store, ctx.ws, { run_id: ctx.runId, project: ctx.project, task_id: spec.id, decision: 'approve', by: ctx.prompter.by, reason: `retry after: ${error}`, environment: 'production', version: spec.version ?? null, fingerprint: null });
      return 'retry';
    }
    if (answer === 'no') {
      await recordDecision(ctx.store, ctx.ws, { run_id: ctx.runId, project: ctx.project, task_id: spec.id, decision: 'reject', by: ctx.prompter.by, reason: `no retry; left as it is after: ${error}`, environment: 'production', version: spec.version ?? null, fingerprint: null });
      await saveTask(ctx, state, { status: 'failed', lastError: error, reason: `production deployment failed and was left as it is by ${ctx.prompter.by}: ${error}` });
      return 'settled';
    }
  }
  // A new attempt: the approval that let this one run is used; the retry needs its own.
  const why = `production deployment of ${spec.version ?? '?'} failed (${error}); a retry needs a person's approval${refused ? ` (${refused})` : ''}${rollback ? `; rollback proposed: '${rollback}'` : ''}`;
  await saveTask(ctx, state, { status: 'awaiting_approval', lastError: error, reason: why, baseIteration: state.iterations });
  const approveCommand = `autonomous-loop approve ${spec.id} ${target} --by <name>`;
  ctx.emitter.emit('task:waiting', { taskId: spec.id, reason: why, approveCommand });
  await notifyPeople(ctx, 'gate', spec, why, approveCommand);
  return 'waiting';
}

/** Who or what blocked: the rule ids of the findings (an agent's own verdict is `agent-blocked`). */
function blockingRules(result: IterationResult): string[] {
  return [...new Set((result.findings ?? []).map((f) => f.rule))].sort();
}

/** The findings a person has overridden for this task (override decisions name their rules). */
export async function overriddenRules(ctx: EngineContext, taskId: string, decisions?: StoredDecision[]): Promise<{ rules: Set<string>; by: string | undefined; reason: string | undefined }> {
  const rules = new Set<string>();
  let by: string | undefined;
  let reason: string | undefined;
  for (const d of decisions ?? (await ctx.store.taskDecisions(ctx.project, taskId))) {
    if (d.decision !== 'override' || !d.fingerprint?.startsWith('override:')) continue;
    const record = JSON.parse(d.record) as DecisionRecord;
    // verified_approvals: an override counts only with a signature that verifies now
    if (needsSignature(ctx.contract, record.environment) && (await refuseRecordedSignature(ctx.contract, record))) continue;
    for (const r of d.fingerprint.slice('override:'.length).split(',')) if (r) rules.add(r);
    by = record.by ?? by;
    reason = record.reason ?? reason;
  }
  return { rules, by, reason };
}
