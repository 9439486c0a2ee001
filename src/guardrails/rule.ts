import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors.js';
import type { Environment } from '../workspace/environment.js';
import { displayPath } from '../workspace/paths.js';
import type { Severity } from './finding.js';
import type { Dialect } from './sql/sql-lexer.js';

// What a guardrail rule is, and the pack files rules come from: shared by the rule set (which
// loads the shipped packs precompiled) and the pack file reader (YAML, loaded only when needed).

export type Scanner = 'sql' | 'migration' | 'code';

/** `aws s3 rm --recursive` as data: the subcommand words and the flags that must be present. */
export interface CliPattern {
  subcommands: string[];
  flags: string[];
}

export interface RuleMatch {
  /** Leading keywords of a SQL statement, upper case (user rules: `statement: DROP VIEW`). */
  statement?: string[];
  pythonMethods: string[];
  /** boto3 resource objects whose `.delete()` matches: a Bucket, an Object, or a bucket's object collection. */
  pythonResource: ('bucket' | 'object' | 'objects')[];
  jsConstructors: string[];
  jsMethods: string[];
  cli: CliPattern[];
  cliPrograms: string[];
}

export interface Rule {
  id: string;
  scanner: Scanner;
  severity: Severity;
  message: string;
  fix?: string;
  enabled: boolean;
  dialects: Dialect[];
  severityByEnvironment: Partial<Record<Environment, Severity>>;
  match: RuleMatch;
  /** The pack files that defined or changed this rule. */
  sources: string[];
}

/** SQL and migration rules whose detection is code; packs may change their words and severity. */
export const BUILT_IN_RULES: ReadonlySet<string> = new Set([
  'drop-database', 'drop-table', 'drop-schema', 'truncate', 'delete-without-where', 'update-without-where',
  'drop-column', 'rename-column', 'rename-table', 'add-not-null-without-default', 'alter-column-type',
  'index-not-concurrent', 'fk-not-valid', 'drop-index-not-concurrent', 'missing-upgrade', 'missing-downgrade',
  'empty-downgrade', 'irreversible-downgrade', 'missing-description', 'missing-down-file', 'unparsed-sql', 'unreadable-file',
  'set-not-null', 'check-not-valid', 'unique-without-index', 'drop-cascade', 'add-column-volatile-default', 'missing-lock-timeout', 'unresolved-sql', 's3-delete-loop',
]);

/** A pack file to apply: where it is, and whether it ships with the package. */
export interface PackFile {
  file: string;
  mtimeMs: number;
  size: number;
  shipped: boolean;
}

/** The shipped rules as compiled: each pack's name and content hash, and the rules they make. */
export interface CompiledRules {
  version: 1;
  packs: Record<string, string>;
  rules: Rule[];
}

export function hashFile(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

export function packFiles(dir: string, shipped: boolean): PackFile[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new InputError(`${displayPath(dir)}: cannot read the rule pack folder (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return names
    .filter((n) => n.endsWith('.yaml') || n.endsWith('.yml'))
    .sort()
    .map((n) => {
      const file = path.join(dir, n);
      const st = statSync(file);
      return { file, mtimeMs: st.mtimeMs, size: st.size, shipped };
    });
}
