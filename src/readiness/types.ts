import type { Environment } from '../workspace/environment.js';

export type ReadinessSeverity = 'BLOCKER' | 'HIGH' | 'MEDIUM' | 'LOW';
export const READINESS_SEVERITIES: readonly ReadinessSeverity[] = ['BLOCKER', 'HIGH', 'MEDIUM', 'LOW'];

export type Effort = 'S' | 'M' | 'L';

export interface ReadinessFinding {
  /** OPERATOR-001, OPERATOR-002, … in report order (most severe first). */
  id: string;
  rule: string;
  title: string;
  severity: ReadinessSeverity;
  /** `file:line` of what was found, or `missing: <what was looked for>`. */
  location: string;
  effort: Effort;
  evidence: string;
  recommendation: string;
}

/** What one rule concluded, shown under the findings so a reader sees what was looked at. */
export interface ReadinessCheck {
  rule: string;
  title: string;
  status: 'pass' | 'finding' | 'not-applicable';
  /** For a pass: where it was found; for not-applicable: why. */
  detail: string;
}

export interface ReadinessReport {
  project: string;
  /** The project folder that was reviewed, absolute. */
  path: string;
  environment: Environment;
  findings: ReadinessFinding[];
  counts: Record<ReadinessSeverity, number>;
  /** 100 minus the weighted findings (see score.ts), never below 0. */
  score: number;
  /** A BLOCKER was found: a production deployment must not start. */
  blocked: boolean;
  checks: ReadinessCheck[];
  /** What the project was taken to be, which decides the checks that apply. */
  profile: { languages: string[]; webApp: string | null; service: string | null };
}

export interface ReviewInput {
  project: string;
  projectPath: string;
  environment: Environment;
  /** Does the project file configure a health check for this environment? undefined: not known. */
  healthCheckConfigured?: boolean;
  /** The migrations folder, absolute or relative to the project; found by looking when absent. */
  migrationsPath?: string;
}

/** A finding before it is numbered. */
export type DraftFinding = Omit<ReadinessFinding, 'id'>;

/** What a check returns: its findings, and a line for the checks table when it passed. */
export interface CheckOutcome {
  findings: DraftFinding[];
  /** Set when the check does not apply to this project (why). */
  notApplicable?: string;
  /** Where the thing was found, when the check passed (or partly passed). */
  passed?: string;
}
