import type { ParseErrorList } from '../parse-errors.js';
import type { Finding, ScanOptions } from '../finding.js';
import type { MarkerLine } from '../safety-marker.js';
import type { Rule, RuleSet } from '../rule-pack.js';
import type { SqlHit } from './analyze-parsed-statement.js';
import type { CreatedTables } from './created-tables.js';
import type { Placeholder } from './stand-in-placeholders.js';
import type { Dialect } from './sql-lexer.js';
import type { SqlDialect } from './detect-dialect.js';
import type { SqlToken } from './tokenize-statement.js';

// What the scan of one SQL text is given, and carries from statement to statement.

export interface SqlScanInput {
  text: string;
  file: string;
  rules: RuleSet;
  options: ScanOptions;
  /** Tables created before this text (a migration's up file when this is its down file). */
  createdBefore?: string[][];
  /** Columns and indexes its up migration added, when this is a down migration (`column:t.c`, `index:i`). */
  addedBefore?: string[];
  /** Where a text offset is in the reported file (embedded SQL); default: lines of `text`. */
  lineAt?: (offset: number) => number;
  dialect?: SqlDialect;
  /** The dialect the file's folder suggests; the text's own MySQL syntax outweighs it. */
  dialectHint?: Dialect;
  /** Whether to require `SET lock_timeout` before the first locking statement (whole files, not SQL fragments). */
  checkLockTimeout?: boolean;
  /** Whether text that starts no statement is reported (unparsed-sql); not for fragments. Default: true. */
  reportUnreadable?: boolean;
}

export interface ScanContext {
  input: SqlScanInput;
  /** The text as written (the scan reads `input.text`, with names standing in for placeholders). */
  original: string;
  placeholders: Placeholder[];
  /** SQLite or CockroachDB, read with the Postgres lexer (some rules do not hold there). */
  family: 'sqlite' | 'cockroachdb' | undefined;
  dialect: Dialect;
  /** Where `input.text` starts in the whole text (a chunk of a large file; 0 otherwise): markers and neighbours are kept absolute. */
  base: number;
  lineAt: (offset: number) => number;
  markerLines: MarkerLine[];
  created: CreatedTables;
  ownCreated: string[][];
  findings: Finding[];
  /** Rules matched by a statement's leading keywords (workspace packs add them). */
  keywordRules: Rule[];
  rejected: ParseErrorList;
  /** Columns and indexes this text adds (`column:t.c`, `index:i`), and those its up migration added. */
  added: string[];
  addedBefore: ReadonlySet<string>;
  /** Where the statements before and after the one being scanned start, absolute (which statement a marker is on). */
  neighbours: { previousStart?: number; nextStart?: number };
  /** `SET lock_timeout` was seen (or the missing-lock-timeout finding already made). */
  lockTimeoutSet: boolean;
  checkLockTimeout: boolean;
  /** Columns with a `CHECK (col IS NOT NULL)` in the text read so far, and how far that is. */
  notNullChecks: Set<string>;
  checksReadTo: number;
  /** Statements waiting for the parser, read together (one call per batch, not per statement). */
  deferred: Deferred[];
  deferredChars: number;
}

/** A statement whose parser reading (and report) waits for its batch, with the state it was seen in. */
export interface Deferred {
  start: number;
  end: number;
  terminatorEnd: number;
  tokens: SqlToken[] | undefined;
  hits: SqlHit[];
  asOf: ReportState;
}

/** What a report depends on that later statements change. */
export interface ReportState {
  neighbours: { previousStart?: number; nextStart?: number };
  /** How many tables had been created. */
  created: number;
}
