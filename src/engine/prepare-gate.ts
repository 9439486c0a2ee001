import type { Agent, GatePreparation, IterationContext } from '../agents/agent.js';
import { decideOnBlocked } from './ask-a-person.js';
import type { EngineContext, TaskState } from './engine-context.js';
import { saveTask } from './engine-context.js';

/**
 * An agent's work before its gate (a provisioning plan): shown in the approval box. What it cannot
 * make stops the task (failed, with the one message); what a guardrail blocks goes to (R)evert /
 * (O)verride / (A)bort first, and only an override goes on to the gate.
 */
export async function prepareGate(ctx: EngineContext, state: TaskState, agent: Agent, makeContext: () => Promise<IterationContext>): Promise<{ prep?: GatePreparation; stop?: 'settled' | 'aborted' }> {
  if (!agent.prepareGate) return {};
  const { spec } = state;
  const ictx = await makeContext();
  const gateDecisions = (await ctx.store.taskDecisions(ctx.project, spec.id)).filter((d) => d.decision === 'approve' || d.decision === 'reject');
  // Set back to pending after a rejection: what was rejected is made again, never shown as it was.
  const replan = gateDecisions[gateDecisions.length - 1]?.decision === 'reject';
  ctx.emitter.emit('iteration:output', { taskId: spec.id, iteration: 0, line: `${spec.agentType}: preparing what the gate shows` });
  const prep = await agent.prepareGate(ictx, { replan });
  if (!prep.result) return { prep };
  if (prep.result.verdict !== 'BLOCKED') {
    const error = prep.result.error ?? 'the agent could not prepare the gate';
    await saveTask(ctx, state, { status: 'failed', lastError: error, reason: error });
    ctx.log.child({ task_id: spec.id }).warn({ error }, 'task failed before its gate');
    return { stop: 'settled' };
  }
  const choice = await decideOnBlocked(ctx, state, ictx.iteration, prep.result, ictx);
  if (choice === 'aborted') return { stop: 'aborted' };
  if (choice === 'stopped') {
    await prep.onStopped?.();
    return { stop: 'settled' };
  }
  return { prep };
}
