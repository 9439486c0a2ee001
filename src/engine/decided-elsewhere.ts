import { refuseApprovalUse, standingDecision } from '../gates/approval-gate.js';
import { osUser } from '../records/decision-record.js';
import type { EngineContext } from './engine-context.js';
import type { DecisionElsewhere } from './prompter.js';

export interface DecisionWatch {
  /** Resolves when a person decides this gate from another shell (`approve` / `reject`); never rejects. */
  decided: Promise<DecisionElsewhere>;
  stop(): void;
}

/**
 * While a gate's question is open at this terminal, a decision given from another shell for the
 * same subject answers it. The store is read every `pollMs`; an approval the gate would not take
 * (an approver no longer listed, the one who started the run) does not close the question.
 */
export function watchDecisionElsewhere(ctx: EngineContext, taskId: string, fingerprint: string, attempt: number, singleUse: boolean, pollMs = 300): DecisionWatch {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const decided = new Promise<DecisionElsewhere>((resolve) => {
    const look = async (): Promise<void> => {
      if (stopped) return;
      const standing = await standingDecision(ctx.store, ctx.project, taskId, fingerprint, attempt).catch(() => undefined);
      if (stopped) return;
      const refused = standing?.decision === 'approve' && singleUse ? refuseApprovalUse(ctx.contract, standing, { osUser: osUser(), by: ctx.prompter?.by ?? null }) : undefined;
      if (standing && (standing.decision === 'approve' || standing.decision === 'reject') && !refused) {
        resolve({ decision: standing.decision, by: standing.by, reason: standing.reason });
        return;
      }
      timer = setTimeout(() => void look(), pollMs);
    };
    timer = setTimeout(() => void look(), pollMs);
  });
  return {
    decided,
    stop: () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
