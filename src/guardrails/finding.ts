import type { Environment } from '../workspace/environment.js';

export const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface Finding {
  /** The path as the caller gave it (a directory argument joined with the file's path under it). */
  file: string;
  /** 1-based line where the statement or call starts. */
  line: number;
  rule: string;
  severity: Severity;
  message: string;
  fix?: string;
  /** What the finding is about when the rule can tell: a table, a column (`table.column`), an index. */
  target?: string;
  /** The statement or call, on one line, shortened. */
  statement?: string;
  /** A `safety-exception` comment on the statement's line(s) turned this finding off. */
  suppressed: boolean;
  /** Why, as the `safety-exception` comment says (after the rule it names, if it names one). */
  exception?: string;
  /** In a migration: whether the statement or call runs on upgrade or on downgrade (a down file, downgrade()). */
  direction?: 'upgrade' | 'downgrade';
}

export interface ScanOptions {
  environment?: Environment;
  /** Severity by rule id, e.g. the contract's severity_overrides for the environment. */
  severityOverrides?: Partial<Record<string, Severity>>;
  /** Extra rule pack folders (a workspace's guardrails/), applied over the shipped packs in order. */
  rulePackDirs?: string[];
  /** Relative paths given to scanPaths/validateMigrations resolve against this (default: cwd). */
  cwd?: string;
  /** The SQL dialect of every SQL file; by default each file's own is detected. */
  dialect?: 'postgres' | 'mysql' | 'sqlite' | 'cockroachdb';
  /** Text nothing could read (unreadable-file, unparsed-sql) does not fail the check (`--allow-unread`, the contract's guardrails.allow_unread). */
  allowUnread?: boolean;
}

export interface MigrationCheck {
  file: string;
  kind: 'alembic' | 'sql-pair' | 'flyway' | 'django' | 'javascript' | 'unread';
  /** The tool that wrote a code migration: Knex, Sequelize, TypeORM, db-migrate, node-pg-migrate, Kysely, Django. */
  form?: string;
  upgrade: boolean;
  downgrade: boolean;
  reversible: boolean;
  findings: Finding[];
  /** The down/undo file of an SQL migration, when there is one. */
  downFile?: string;
  /** Alembic revision id, or the migration's number/version. */
  version?: string;
}

export interface MigrationReport {
  ok: boolean;
  environment: Environment;
  migrations: MigrationCheck[];
  /** What fails validation in this environment. */
  errors: Finding[];
  /** What is reported but does not fail it (including suppressed findings). */
  warnings: Finding[];
}

const RANK: Record<Severity, number> = { CRITICAL: 0, HIGH: 1, MEDIUM: 2, LOW: 3 };

/** Negative when `a` is more severe than `b`. */
export function compareSeverity(a: Severity, b: Severity): number {
  return RANK[a] - RANK[b];
}

export function isAtOrAbove(severity: Severity, threshold: Severity): boolean {
  return RANK[severity] <= RANK[threshold];
}

/** A finding about text that could not be read: a scan never passes over one (fail closed). */
export function isUnread(f: Finding): boolean {
  return f.rule === 'unparsed-sql' || f.rule === 'unreadable-file';
}

/** A deployment with any unsuppressed CRITICAL finding is BLOCKED. */
export function isBlocking(findings: Finding[]): boolean {
  return findings.some((f) => !f.suppressed && f.severity === 'CRITICAL');
}

