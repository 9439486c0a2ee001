import type { Logger } from '../log/create-logger.js';
import type { Environment } from '../workspace/environment.js';
import type { Workspace } from '../workspace/paths.js';
import type { TaskSpec } from '../queue/task-spec.js';
import type { IterationMetrics } from './coding/agent-output.js';

export type { TaskSpec, IterationMetrics };

export type Verdict = 'PASS' | 'FAIL' | 'BLOCKED';

/** A guardrail or readiness finding that made an iteration BLOCKED. */
export interface BlockingFinding {
  rule: string;
  severity: string;
  message: string;
  location?: string;
}

import type { DeploymentRecordInput } from '../records/deployment-record.js';
import type { ProvisioningRecordInput } from '../records/provisioning-record.js';

export type { DeploymentRecordInput, ProvisioningRecordInput };

/** Where agents put what must be on the record; the engine writes SQLite first, then the files. */
export interface RecordSink {
  recordDeployment(record: DeploymentRecordInput): Promise<void>;
  /** Successful deployments (and rollbacks) of this project in an environment, newest first. */
  deploymentHistory(environment: Environment): Promise<DeploymentRecordInput[]>;
  /** A provisioning attempt's record (`.aibrain/provisioning.json`); once per outcome of an iteration. */
  recordProvisioning(record: ProvisioningRecordInput): Promise<void>;
  /** A rollback is about to change the environment: marked, so a crash leaves an `interrupted` record. */
  rollbackStarted?(environment: Environment, rollback: { from: string; to: string; task_id: string }): Promise<void>;
  /** The rollback ended: unmarked (null), or the environment degraded with why. */
  rollbackEnded?(environment: Environment, failure: string | null): Promise<void>;
}

/**
 * Steps of one iteration, journaled in the state store: after a crash, a step that completed is
 * not run again (its stored result is returned); a step that was cut off is run again only when
 * `redoSafe` says so, else the iteration fails with a message naming the step.
 */
export interface StepJournal {
  run<T>(name: string, fn: () => Promise<T>, options?: { redoSafe?: boolean }): Promise<T>;
  /** The result of the task's latest completed step of this name, in any iteration (after a crash too). */
  latest<T>(name: string): Promise<T | undefined>;
}

/** A question to a person: yes, no, or nobody there to answer. */
export type Ask = (question: { title: string; lines: string[]; environment?: Environment }) => Promise<'yes' | 'no' | 'unavailable'>;

export interface IterationContext {
  /** The name given with --project (the queue file's name part). */
  project: string;
  task: TaskSpec;
  /** Numbers the iteration across all attempts (journaled steps are keyed by it). */
  iteration: number;
  /** 1 for the first iteration of the current attempt (a person's reset starts a new attempt). */
  attemptIteration?: number;
  runId: string;
  workspace: Workspace;
  signal: AbortSignal;
  log: Logger;
  steps: StepJournal;
  records: RecordSink;
  ask: Ask;
  /** Rule ids of blocking findings a person has overridden for this task: let them through. */
  overridden?: ReadonlySet<string>;
  /** A line of progress for the terminal view. */
  progress(line: string): void;
  // --- coding loop (issue 15) ---
  /** The task's last iteration (in any run), for the next prompt's feedback. */
  previous?: PreviousIteration;
  /** Wall time the task's max_runtime leaves, in ms (no limit when absent). */
  timeLeftMs?: number;
  /** The iteration's raw output as it arrives: kept in its log file. */
  output?(chunk: string): void;
  /**
   * Where a coding task works: its own git worktree's counterpart of the workspace root (issue 26).
   * Absent: the workspace root.
   */
  workDir?: string;
  /** Who approved the gate this iteration runs under (null when no gate applied). */
  approvedBy?: () => string | null;
}

/** What a gate shows beyond the task's own fields, made before it asks (a provisioning plan). */
export interface GatePreparation {
  title: string;
  lines: string[];
  /** Said among the reasons a person decides (a cost difference the approver accepts). */
  reasons: string[];
  /** The task stops here instead: FAIL (nothing to approve) or BLOCKED ((R)evert / (O)verride / (A)bort). */
  result?: IterationResult;
  /** A BLOCKED preparation stopped the task (nobody overrode it): put it on the record. */
  onStopped?(): Promise<void>;
  /** The person at the gate said no: put it on the record. */
  onRejected?(by: string): Promise<void>;
}

/** What the last iteration of a task left behind. */
export interface PreviousIteration {
  verdict: string | null;
  error: string | null;
  outputTail: string | null;
  sessionId: string | null;
}

/** Loop features on by default for an agent (a task or the contract may say otherwise). */
export interface LoopDefaults {
  checkpointEvery: number | 'never';
  stuckAfter: number | 'never';
}

export interface IterationResult {
  verdict: Verdict;
  /** What the agent said: shown, fed back, compared for stuck. */
  output: string;
  /**
   * Where the completion promise is looked for when the agent has one: its final answer alone
   * (a coding CLI's last message), else `output`.
   */
  finalAnswer?: string;
  /**
   * A usage limit that resets at this time (epoch ms), later than the loop may wait: the iteration
   * is not spent, the run stops resumably (exit 6).
   */
  pauseUntil?: number;
  /** Why the iteration did not pass, in one line. */
  error?: string;
  /** No further iteration can help (the program is not installed, say): the task fails now. */
  fatal?: boolean;
  /** For BLOCKED: what the guardrail found. */
  findings?: BlockingFinding[];
  /** Cost, tokens, turns and time, where the agent knows them. */
  metrics?: IterationMetrics;
}

/** One pre-flight check as it stands, shown in the approval prompt. */
export interface PreflightCheck {
  check: string;
  status: 'passed' | 'failed' | 'warning' | 'not run';
  detail?: string;
  /** Lines shown under the check in the box: each migration that will run, each finding. */
  items?: string[];
}

export interface Agent {
  readonly type: string;
  /** Checks to run before a gate asks a person, so the prompt shows their results. No side effects but a build (journaled: the run takes it). */
  preflight?(ctx: IterationContext): Promise<PreflightCheck[]>;
  /** Reasons of the agent's own for a person to decide (a rollback whose down migrations drop data). No side effects. */
  gateReasons?(ctx: IterationContext): Promise<string[]>;
  /** May an iteration that a crash cut off be run again from its start? */
  readonly redoSafe: boolean;
  runIteration(ctx: IterationContext): Promise<IterationResult>;
  /** Override of a BLOCKED iteration runs the agent again with the findings let through (its work
   * had not started), instead of counting the iteration as passed. */
  readonly rerunOnOverride?: boolean;
  /** Whether (R)evert would undo anything here (a git work tree with a baseline, say). */
  canRevert?(ctx: IterationContext): Promise<boolean>;
  /** (R)evert after BLOCKED: undo what the task did. Returns what was done, for the record. */
  revert?(ctx: IterationContext): Promise<string>;
  /**
   * Work before the gate so the person sees what they approve (a provisioning plan). `replan`:
   * the last decision at the gate was a rejection, so what was kept is made again.
   */
  prepareGate?(ctx: IterationContext, options: { replan: boolean }): Promise<GatePreparation>;
  /** A coding agent: checkpoints and stuck detection on unless configured off. */
  readonly loopDefaults?: LoopDefaults;
}
