import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { readFileHead } from '../decode-text.js';
import type { Dialect } from './sql-lexer.js';

// Which SQL a file is written in, when its own text does not say (backticks, ENGINE=, a `#`
// comment, AUTO_INCREMENT say MySQL; the splitter finds those). The folder speaks next: Prisma's
// migration_lock.toml names the provider, a `mysql` in the path says MySQL, and so does a sibling
// migration with MySQL-only syntax. Folders are read once.

const MYSQL_TEXT = /\bENGINE\s*=|\bAUTO_INCREMENT\b|`[A-Za-z_][A-Za-z0-9_]*`|^[ \t]*#|\bUNSIGNED\b|\bDEFAULT CHARSET\b|\bint\(\d+\)/im;
const MYSQL_PATH = /(^|[\\/_.-])(mysql|mariadb)([\\/_.-]|$)/i;
const POSTGRES_PATH = /(^|[\\/_.-])(postgres|postgresql|pg|psql|pgsql)([\\/_.-]|$)/i;
const SIBLINGS_READ = 100;
/** Only a sibling's head is read: it may be a 60 MB seed file. */
const SIBLING_BYTES = 20000;
const folders = new Map<string, Dialect | undefined>();
const shownDirs = new Map<string, string>();

/** The dialect a file's text alone shows by a `#` comment at the start of a line, or undefined. */
export function readOwnDialect(text: string): Dialect | undefined {
  // Not in a text with dollar quotes: a `#` line there is a comment in a PL/Python or PL/Perl body.
  return /^[ \t]*#(?!!)/m.test(text) && !DOLLAR_QUOTE.test(text) ? 'mysql' : undefined;
}

/** What readOwnDialect reads, for a text read in parts (each starting at a line start): a `#` line, a dollar quote. */
export function readDialectSigns(text: string): { hashLine: boolean; dollarQuote: boolean } {
  return { hashLine: /^[ \t]*#(?!!)/m.test(text), dollarQuote: DOLLAR_QUOTE.test(text) };
}

/** Whether a sibling's SQL (its comments and string literals left out) uses MySQL-only syntax. */
function looksMysql(text: string): boolean {
  if (DOLLAR_QUOTE.test(text)) return false;
  const code = text.replace(/--[^\n]*|\/\*(?!!)[\s\S]*?\*\//g, ' ').replace(/'(?:[^'\\]|\\.|'')*'/g, "''");
  return MYSQL_TEXT.test(code);
}
const DOLLAR_QUOTE = /\$[A-Za-z_]*\$/;

/** The dialect a file's place suggests (its path, Prisma's lock file, its sibling migrations), or undefined. */
export function readFolderDialect(file: string): Dialect | undefined {
  const dir = path.dirname(file);
  const byPath = readPathDialect(file);
  if (byPath) return byPath;
  if (folders.has(dir)) return folders.get(dir);
  const found = readPrismaProvider(dir) ?? readSiblingDialect(dir);
  folders.set(dir, found);
  return found;
}

/** The path relative to the working folder, or as given when it is outside; each folder worked out once (a scan asks per file). */
function shownPath(file: string): string {
  const dir = path.dirname(file);
  const cwd = process.cwd();
  const key = `${cwd}\u0000${dir}`;
  let shownDir = shownDirs.get(key);
  if (shownDir === undefined) {
    const rel = path.relative(cwd, dir);
    shownDir = rel.startsWith('..') ? dir : rel;
    shownDirs.set(key, shownDir);
  }
  return shownDir === '' ? path.basename(file) : path.join(shownDir, path.basename(file));
}

function readPathDialect(file: string): Dialect | undefined {
  const shown = shownPath(file);
  if (MYSQL_PATH.test(shown)) return 'mysql';
  if (POSTGRES_PATH.test(shown)) return 'postgres';
  return undefined;
}

/** prisma/migrations/migration_lock.toml: `provider = "mysql"`. */
function readPrismaProvider(dir: string): Dialect | undefined {
  for (let d = dir, i = 0; i < 3; i++, d = path.dirname(d)) {
    const lock = path.join(d, 'migration_lock.toml');
    if (!existsSync(lock)) continue;
    const m = /provider\s*=\s*"([a-z]+)"/.exec(readFileSync(lock, 'utf8'));
    if (m?.[1] === 'mysql') return 'mysql';
    if (m?.[1] === 'postgresql' || m?.[1] === 'cockroachdb') return 'postgres';
    return undefined;
  }
  return undefined;
}

function readSiblingDialect(dir: string): Dialect | undefined {
  let names: string[];
  try {
    // Siblings that name another dialect (x.postgres.up.sql beside x.mysql.up.sql) say nothing of this file.
    names = readdirSync(dir).filter((n) => n.toLowerCase().endsWith('.sql') && !readPathDialect(n)).slice(0, SIBLINGS_READ);
  } catch {
    return undefined;
  }
  for (const n of names) {
    try {
      if (looksMysql(readFileHead(path.join(dir, n), SIBLING_BYTES))) return 'mysql';
    } catch {
      // gone or unreadable: it is reported when it is scanned
    }
  }
  return undefined;
}

/** Every dialect a file may be read as: PostgreSQL and CockroachDB share the Postgres lexer and parser, SQLite the Postgres lexer. */
export type SqlDialect = Dialect | 'sqlite' | 'cockroachdb';
export const SQL_DIALECTS: readonly SqlDialect[] = ['postgres', 'mysql', 'sqlite', 'cockroachdb'];

/** The lexer a dialect is read with. */
export function readLexerDialect(dialect: SqlDialect): Dialect {
  return dialect === 'mysql' ? 'mysql' : 'postgres';
}

/**
 * Rules that do not hold in a dialect read with the Postgres lexer: SQLite has no CONCURRENTLY, no
 * lock_timeout, no NOT VALID, no ALTER COLUMN; CockroachDB builds and drops indexes online.
 */
export const RULES_NOT_IN: Record<'sqlite' | 'cockroachdb', ReadonlySet<string>> = {
  sqlite: new Set([
    'index-not-concurrent', 'drop-index-not-concurrent', 'missing-lock-timeout', 'fk-not-valid', 'check-not-valid', 'set-not-null',
    'alter-column-type', 'unique-without-index', 'add-column-volatile-default',
  ]),
  cockroachdb: new Set(['index-not-concurrent', 'drop-index-not-concurrent']),
};

const SQLITE_PATH = /(^|[\\/_.-])(sqlite3?|sqlite)([\\/_.-]|$)/i;
const COCKROACH_PATH = /(^|[\\/_.-])(cockroach|cockroachdb|crdb)([\\/_.-]|$)/i;
const SQLITE_TEXT = /\bAUTOINCREMENT\b|^[ \t]*PRAGMA\b|\bWITHOUT\s+ROWID\b/im;
const COCKROACH_TEXT = /\b(?:ALTER\s+PRIMARY\s+KEY|INTERLEAVE\s+IN\s+PARENT|SET\s+CLUSTER\s+SETTING|CREATE\s+CHANGEFEED|USING\s+HASH\s+WITH|SPLIT\s+AT)\b/i;

/** SQLite or CockroachDB when a file's name or its text says so (the Postgres lexer reads both); undefined otherwise. */
export function readPostgresFamily(file: string, text: string): 'sqlite' | 'cockroachdb' | undefined {
  const shown = shownPath(file);
  if (SQLITE_PATH.test(shown)) return 'sqlite';
  if (COCKROACH_PATH.test(shown)) return 'cockroachdb';
  const head = text.length > SIBLING_BYTES ? text.slice(0, SIBLING_BYTES) : text;
  if (SQLITE_TEXT.test(head)) return 'sqlite';
  if (COCKROACH_TEXT.test(head)) return 'cockroachdb';
  return undefined;
}
