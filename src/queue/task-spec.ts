import type { Environment } from '../workspace/environment.js';

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
  completionPromise: string;
  maxIterations: number;
  dependsOn: string[];
  /** false, or the reasons a person must approve (true becomes ['requires_approval']). */
  approvalReasons: string[] | false;
  command?: string[];
  /** Index in the queue file's task array: the plan's tie-breaker. */
  index: number;
}
