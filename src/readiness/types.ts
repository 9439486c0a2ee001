import type { Environment } from '../workspace/environment.js';
import type { ReadinessArea } from './areas.js';
import type { AppliedMigrations } from './migrations/pending-migrations.js';

export type ReadinessSeverity = 'BLOCKER' | 'HIGH' | 'MEDIUM' | 'LOW';
export const READINESS_SEVERITIES: readonly ReadinessSeverity[] = ['BLOCKER', 'HIGH', 'MEDIUM', 'LOW'];

/** S: under 1 hour, M: 1–4 hours, L: a day or more (the standard's sizes). */
export type Effort = 'S' | 'M' | 'L';

export interface ReadinessFinding {
  /** OPERATOR-001, OPERATOR-002, … in report order (most severe first). */
  id: string;
  rule: string;
  title: string;
  severity: ReadinessSeverity;
  /** The section of the review standard the finding belongs to. */
  area: ReadinessArea;
  /** `file:line` of what was found, or `missing: <what was looked for>`. */
  location: string;
  effort: Effort;
  /** Hours a person should plan for the fix. */
  effortHours: number;
  /** What goes wrong in production because of it (the Issue paragraph). */
  issue: string;
  /** The lines found (quoted, `file:line: text`), or what was looked for and not found. */
  evidence: string;
  recommendation: string;
  /** Code or configuration for this project's stack that does what the recommendation says. */
  snippet?: string;
}

/** What one rule concluded, shown under the findings so a reader sees what was looked at. */
export interface ReadinessCheck {
  rule: string;
  title: string;
  area: ReadinessArea;
  /** not-assessed: the check applies, but the review could not decide (it counts as a gap in the score). */
  status: 'pass' | 'finding' | 'not-applicable' | 'not-assessed';
  /** For a pass: where it was found (quoted); for not-applicable: why. */
  detail: string;
}

/** One area's share of the score. */
export interface AreaScore {
  area: ReadinessArea;
  title: string;
  weight: number;
  /** 0–100; null when no check of the area applies to this project. */
  score: number | null;
  findings: number;
  /** What the area lost its points for: `-45 HIGH No health endpoint`, `-25 not assessed: …`. */
  deductions: string[];
}

export type ReadinessVerdict = 'READY' | 'NOT READY' | 'BLOCKED';

/** What the byte budget left out, so a reader knows what the review did not see. */
export interface ReviewCoverage {
  filesRead: number;
  bytesRead: number;
  budgetBytes: number;
  skipped: Array<{ file: string; bytes: number; why: string }>;
  skippedCount: number;
  skippedBytes: number;
}

export interface ReadinessReport {
  project: string;
  /** The project folder that was reviewed, absolute. */
  path: string;
  environment: Environment;
  findings: ReadinessFinding[];
  counts: Record<ReadinessSeverity, number>;
  /** Weighted mean of the area scores (see areas.ts), 0–100. */
  score: number;
  areas: AreaScore[];
  /** BLOCKED: a BLOCKER; NOT READY: a HIGH; READY: neither. */
  verdict: ReadinessVerdict;
  /** A BLOCKER was found: a production deployment must not start. */
  blocked: boolean;
  /** The findings to fix first, in order. */
  topActions: string[];
  checks: ReadinessCheck[];
  /** What the project was taken to be, which decides the checks that apply. */
  profile: { languages: string[]; webApp: string | null; service: string | null; stack: string };
  /** Which migrations were taken as pending, and how that was decided. */
  migrations: { basis: string; pending: number; applied: number };
  coverage: ReviewCoverage;
}

export interface ReviewInput {
  project: string;
  projectPath: string;
  environment: Environment;
  /** Does the project file configure a health check for this environment? undefined: not known. */
  healthCheckConfigured?: boolean;
  /** Does the project file configure a rollback command for this environment? */
  rollbackConfigured?: boolean;
  /** The migrations folder, absolute or relative to the project; found by looking when absent. */
  migrationsPath?: string;
  /** What is known of the migrations applied to the environment (migrate_status, or the tag of the last deployed version). */
  appliedMigrations?: AppliedMigrations;
  /** Total bytes of files the review reads (default 64 MiB). */
  budgetBytes?: number;
}

/** A finding before it is numbered; the rule fills in area, issue and hours when it leaves them out. */
export type DraftFinding = Omit<ReadinessFinding, 'id' | 'area' | 'issue' | 'effortHours'> & Partial<Pick<ReadinessFinding, 'area' | 'issue' | 'effortHours'>>;

/** What a check returns: its findings, and a line for the checks table when it passed. */
export interface CheckOutcome {
  findings: DraftFinding[];
  /** Set when the check does not apply to this project (why). */
  notApplicable?: string;
  /** Set when the check applies but the review could not decide (why): a gap in the score, not a dropped weight. */
  notAssessed?: string;
  /** Where the thing was found, when the check passed (or partly passed). */
  passed?: string;
}
