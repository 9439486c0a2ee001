import type { Severity } from '../../guardrails/index.js';

/** A statement of a migration's upgrade that the guardrails rate (unsuppressed). */
export interface MigrationStatement {
  line: number;
  rule: string;
  message: string;
  severity: Severity;
}

/** One migration as the readiness review sees it, whatever tool wrote it. */
export interface MigrationReview {
  /** Relative to the project. */
  file: string;
  kind: 'alembic' | 'sql-pair' | 'flyway' | 'prisma' | 'django' | 'javascript' | 'unread';
  /** Has a downgrade / down file / reverse that undoes it. */
  reversible: boolean;
  /** Why it is not reversible, when it is not. */
  irreversibleBecause?: string;
  /** What the upgrade does that the guardrails rate CRITICAL, HIGH or MEDIUM. */
  statements: MigrationStatement[];
  /** Lines of the downgrade that fail when run (`op.drop_constraint(None, …)`). */
  brokenDowngrade: string[];
  /** Lines whose SQL the scan could not read (nothing in them was checked). */
  unreadable?: number[];
}

// Operations that lose data: no downgrade brings the rows back.
const DATA_LOSS = new Set([
  'drop-database', 'drop-table', 'drop-schema', 'truncate', 'delete-without-where', 'drop-column',
  'DeleteModel', 'RemoveField', 'dropTable', 'dropTableIfExists', 'dropColumn', 'dropColumns', 'removeColumn', 'bulkDelete', 'dropSchema', 'dropDatabase',
]);

export function losesData(statement: MigrationStatement): boolean {
  return DATA_LOSS.has(statement.rule);
}
