import type { Environment } from '../workspace/environment.js';
import type { BusinessCase, SafetyException } from './business-case.js';

export type { BusinessCase, SafetyException };

/** A queue task as the engine understands it, after aliases and defaults are applied. */
export interface TaskSpec {
  id: string;
  description: string;
  agentType: string;
  environment?: Environment;
  version?: string;
  runMigrations: boolean;
  /** As written in the queue: relative to the project root, checked not to leave it. Resolve it
   * with `resolveInside(projectPath, migrationsPath, ...)`. */
  migrationsPath?: string;
  /** Rollback tasks: the version to bring back, or 'previous' (the one before the version running). */
  rollbackTo?: string;
  /** Rollback tasks: undo the migrations applied since that version. */
  migrationsDown?: boolean;
  completionPromise: string;
  maxIterations: number;
  dependsOn: string[];
  /** false, or the reasons a person must approve (true becomes ['requires_approval']). */
  approvalReasons: string[] | false;
  command?: string[];
  // Budgets and the coding loop (issue 15): a spent budget stops the task with that reason.
  maxCostUsd?: number;
  maxTokens?: number;
  maxRuntimeSeconds?: number;
  /** Per iteration, overriding the contract's timeout_seconds. */
  timeoutSeconds?: number;
  /** A checkpoint commit every N iterations, or never. */
  checkpoint?: number | 'never';
  /** End the task as stuck after N iterations in a row with the same failure or output. */
  stuckAfter?: number | 'never';
  // Provisioning (issue 25).
  /** What to provision, in words. */
  resource?: string;
  businessCase?: BusinessCase;
  /** Plan addresses a person lets through the plan guardrails, each with its reason. */
  safetyExceptions?: SafetyException[];
  /** The verify gate: argv arrays run after each coding iteration; the promise counts only when all pass. */
  verify?: string[][];
  /** Runner labels the task needs (`runs_on`): only a runner with all of them takes it. */
  runsOn?: string[];
  /** Index in the queue file's task array: the plan's tie-breaker. */
  index: number;
}
