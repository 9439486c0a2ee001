import type { Logger } from '../log/create-logger.js';
import type { Store } from '../state/store.js';
import type { EngineContext, TaskState } from './engine-context.js';
import { saveTask } from './engine-context.js';

/** A task's start: its status in progress and a `task:start` event, on record once. */
export interface TaskStart {
  /** Inside the first iteration's transaction: the start goes into that commit (one commit less a task). */
  withFirstIteration(tx: Store): Promise<void>;
  /** After that commit: said on screen and in the log. */
  committed(): void;
  /** A task that stops before its first iteration: its start on record first, on its own, as it was. */
  alone(): Promise<void>;
}

export function taskStart(ctx: EngineContext, state: TaskState, firstIteration: number, log: Logger): TaskStart {
  const { spec } = state;
  let pending = true;
  const record = async (tx: Store): Promise<void> => {
    await saveTask(ctx, state, { status: 'in_progress', reason: null }, tx);
    await tx.addEvent(ctx.project, ctx.runId, spec.id, 'task:start', { firstIteration });
  };
  const committed = (): void => {
    if (!pending) return;
    pending = false;
    ctx.emitter.emit('task:start', { taskId: spec.id, agentType: spec.agentType, maxIterations: spec.maxIterations, firstIteration });
    log.info({ agent_type: spec.agentType, first_iteration: firstIteration }, 'task started');
  };
  return {
    withFirstIteration: (tx) => (pending ? record(tx) : Promise.resolve()),
    committed,
    async alone() {
      if (!pending) return;
      await ctx.store.transaction(record);
      committed();
    },
  };
}
