import type { ParseErrorList } from './parse-errors.js';
import type { CodeScanInput } from './code/code-matchers.js';
import type { Finding } from './finding.js';

// What scanning one file takes and gives, shared by the SQL side (scan-file) and the code side
// (scan-code-file, loaded on demand).

export type FileKind = 'sql' | 'python' | 'javascript' | 'shell' | 'makefile' | 'dockerfile' | 'workflow' | 'gitlab-ci';

export interface FileScanInput extends CodeScanInput {
  kind: FileKind;
  /** Where the file is on disk, for what its folder says about it (the SQL dialect). */
  absolute?: string;
  /** Tables created before this file: its up migration's, when this is a down migration. */
  createdBefore?: string[][];
  /** Columns and indexes its up migration added (`column:t.c`, `index:i`), when this is a down migration. */
  addedBefore?: string[];
}

export interface FileScanResult {
  findings: Finding[];
  /** More findings, after `findings`, a part at a time (a large SQL file's, held packed while it was read). */
  findingParts?: () => Iterable<Finding[]>;
  /** Tables the file creates (SQL files), for its down migration's scratch check. */
  created: string[][];
  /** Columns and indexes the file adds (SQL files), for its down migration. */
  added?: string[];
  /** Where a parser rejected the text and a tolerant reading stood in. */
  parseErrors?: ParseErrorList;
  /** Why the file was not read, when it says it is a migration and no reader understands it. */
  unread?: string;
}
