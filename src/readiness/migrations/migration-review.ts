/** One migration as the readiness review sees it, whatever tool wrote it. */
export interface MigrationReview {
  /** Relative to the project. */
  file: string;
  kind: 'alembic' | 'sql-pair' | 'flyway' | 'prisma' | 'django' | 'javascript';
  /** Has a downgrade / down file / reverse that undoes it. */
  reversible: boolean;
  /** Why it is not reversible, when it is not. */
  irreversibleBecause?: string;
  /** CRITICAL/HIGH statements of the upgrade that destroy or rewrite data (unsuppressed). */
  destructive: Array<{ line: number; rule: string; message: string }>;
}

export type DestructiveStatement = MigrationReview['destructive'][number];
