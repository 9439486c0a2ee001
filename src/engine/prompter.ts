import type { Ask, BlockingFinding, PreflightCheck, TaskSpec } from '../agents/agent.js';

export interface GatePrompt {
  project: string;
  task: TaskSpec;
  reasons: string[];
  production: boolean;
  preflight: PreflightCheck[];
  /** What changed since the last approval, one line each (empty when nothing was approved). */
  changes?: string[];
  /** The cascade behind this task: the environment before it, at this version (when, which task, who approved). */
  cascade?: string[];
  /** Why the person at this terminal may not approve (not an approver, or started the run): shown, not asked. */
  refused?: string;
  /** What the agent prepared for this gate (a provisioning plan): its own title and lines. */
  details?: { title: string; lines: string[] };
  /** A decision given from another shell while the question is open: it closes the question. */
  decidedElsewhere?: Promise<DecisionElsewhere>;
}

/** An approval or rejection given outside this terminal (`approve` / `reject` in another shell). */
export interface DecisionElsewhere {
  decision: 'approve' | 'reject';
  by: string;
  reason: string | null;
}

export interface BlockedPrompt {
  project: string;
  task: TaskSpec;
  iteration: number;
  error: string;
  findings: BlockingFinding[];
  canRevert: boolean;
}

export type BlockedChoice = { choice: 'revert' } | { choice: 'override'; reason: string } | { choice: 'abort' };

/** A person at a terminal. The CLI provides one; without it the engine never waits on stdin. */
export interface Prompter {
  /** Who answers (recorded in decisions). */
  by: string;
  /** 'elsewhere': the question was answered from another shell (`prompt.decidedElsewhere`), nothing recorded here. */
  confirmGate(prompt: GatePrompt): Promise<'yes' | 'no' | 'timeout' | 'elsewhere'>;
  chooseOnBlocked(prompt: BlockedPrompt): Promise<BlockedChoice | 'timeout'>;
  ask: Ask;
}
