import path from 'node:path';
import type { FoundFile as ListedFile } from '../scan-paths.js';
import { SqlLexer, Tok } from '../sql/sql-lexer.js';

/** A listed file with its text. */
export type FoundFile = ListedFile & { text: string };

/** One migration as found on disk, before it is checked. */
export type FoundMigration =
  | { kind: 'alembic'; up: FoundFile }
  | { kind: 'django' | 'javascript'; up: FoundFile }
  | { kind: 'unread'; up: FoundFile }
  | { kind: 'sql-pair'; key: string; up?: FoundFile; down?: FoundFile }
  | { kind: 'sql-single'; up: FoundFile; upRange: [number, number]; downRange?: [number, number] }
  | { kind: 'flyway'; key: string; version: string; up?: FoundFile; down?: FoundFile; repeatable: boolean };

const UP_DOWN = /^(.+)\.(up|down)\.sql$/i;
const FLYWAY = /^([VUR])([0-9][0-9._]*)?__(.+)\.sql$/;
const NUMBERED = /^\d+[_-].*\.sql$/;
const SECTION = /^--[ \t]*(?:migrate:(up|down)|\+goose[ \t]+(up|down))\b/i;

/**
 * Groups a folder's files into migrations: `NNN_name.up.sql`/`.down.sql` pairs (or `dir/up.sql` and
 * `dir/down.sql`), Flyway `V1__x.sql` with `U1__x.sql`, single files with up/down sections (dbmate
 * `-- migrate:up`, goose `-- +goose Up`), numbered `.sql` files without a down, and Alembic revisions,
 * Django and JavaScript migrations (code files the caller recognised, or found unreadable). Other SQL files are returned as `others`.
 */
export function groupMigrations(
  files: FoundFile[],
  readCodeKind: (file: FoundFile) => 'alembic' | 'django' | 'javascript' | 'unread' | undefined,
): { migrations: FoundMigration[]; others: FoundFile[] } {
  const pairs = new Map<string, { kind: 'sql-pair'; key: string; up?: FoundFile; down?: FoundFile }>();
  const flyway = new Map<string, { kind: 'flyway'; key: string; version: string; up?: FoundFile; down?: FoundFile; repeatable: boolean }>();
  const migrations: FoundMigration[] = [];
  const others: FoundFile[] = [];
  for (const file of files) {
    if (file.kind === 'python' || file.kind === 'javascript') {
      const kind = readCodeKind(file);
      if (kind) migrations.push({ kind, up: file });
      continue;
    }
    if (file.kind !== 'sql') continue;
    const dir = path.dirname(file.absolute);
    const base = path.basename(file.absolute);
    const upDown = UP_DOWN.exec(base);
    const bare = /^(up|down)\.sql$/i.exec(base);
    const fw = FLYWAY.exec(base);
    if (upDown || bare) {
      const key = upDown ? path.join(dir, upDown[1] ?? '') : dir;
      const direction = (upDown?.[2] ?? bare?.[1] ?? '').toLowerCase();
      const entry = pairs.get(key) ?? { kind: 'sql-pair' as const, key };
      if (direction === 'up') entry.up = file;
      else entry.down = file;
      pairs.set(key, entry);
    } else if (fw) {
      const [, prefix, version = '', name = ''] = fw;
      const repeatable = prefix === 'R';
      const key = repeatable ? path.join(dir, `R__${name}`) : path.join(dir, `${version}__${name}`);
      const entry = flyway.get(key) ?? { kind: 'flyway' as const, key, version, repeatable };
      if (prefix === 'U') entry.down = file;
      else entry.up = file;
      flyway.set(key, entry);
    } else {
      const sections = findSections(file.text);
      if (sections) migrations.push({ kind: 'sql-single', up: file, ...sections });
      else if (NUMBERED.test(base)) migrations.push({ kind: 'sql-single', up: file, upRange: [0, file.text.length] });
      else others.push(file);
    }
  }
  migrations.push(...sharePlainDowns(pairs), ...flyway.values());
  return { migrations: migrations.sort((a, b) => readSortKey(a).localeCompare(readSortKey(b), 'en', { numeric: true })), others };
}

const DIALECT_SUFFIX = /^(.+)\.(postgres|postgresql|pg|mysql|mariadb|sqlite|sqlite3|cockroach|cockroachdb|crdb|mssql|sqlserver|oracle|h2)$/i;

/**
 * `NNN_name.<dialect>.up.sql` files beside one generic `NNN_name.down.sql`: the generic down file
 * reverts each of them (it is not a down file without an up file).
 */
function sharePlainDowns(pairs: Map<string, { kind: 'sql-pair'; key: string; up?: FoundFile; down?: FoundFile }>): FoundMigration[] {
  const shared = new Set<string>();
  for (const entry of pairs.values()) {
    const base = DIALECT_SUFFIX.exec(entry.key)?.[1];
    const generic = base ? pairs.get(base) : undefined;
    if (!entry.up || entry.down || !generic?.down || generic.up) continue;
    entry.down = generic.down;
    shared.add(generic.key);
  }
  return [...pairs.values()].filter((p) => !shared.has(p.key));
}

function readSortKey(m: FoundMigration): string {
  return m.kind === 'sql-pair' || m.kind === 'flyway' ? m.key : m.up.absolute;
}

/** The up and down sections of a dbmate/goose file (marker comments, read as comments), or undefined when it has none. */
function findSections(text: string): { upRange: [number, number]; downRange?: [number, number] } | undefined {
  const marks: { direction: 'up' | 'down'; start: number; bodyStart: number }[] = [];
  const lex = new SqlLexer(text, 'postgres');
  for (let kind = lex.next(); kind !== Tok.End; kind = lex.next()) {
    if (kind !== Tok.Comment) continue;
    const m = SECTION.exec(text.slice(lex.start, lex.end));
    if (m) marks.push({ direction: (m[1] ?? m[2] ?? '').toLowerCase() === 'up' ? 'up' : 'down', start: lex.start, bodyStart: lex.end });
  }
  const up = marks.find((m) => m.direction === 'up');
  if (!up) return undefined;
  const rangeOf = (m: (typeof marks)[number]): [number, number] => {
    const next = marks.find((o) => o.start > m.start);
    return [m.bodyStart, next ? next.start : text.length];
  };
  const down = marks.find((m) => m.direction === 'down');
  return { upRange: rangeOf(up), ...(down ? { downRange: rangeOf(down) } : {}) };
}
