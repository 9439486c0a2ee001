import { LineIndex } from '../line-index.js';
import { readGoBatches } from './dialect-idioms.js';
import { readLexerDialect, readPostgresFamily } from './detect-dialect.js';
import type { SqlScanInput } from './scan-context.js';
import { type SqlScanResult, StatementScan, createScanContext, readNotNullChecks } from './scan-sql.js';
import { type SafetyMarker, type SqlStatement, splitStatements } from './split-statements.js';
import { standInPlaceholders } from './stand-in-placeholders.js';

// A large SQL file scanned in chunks cut at statement boundaries, so neither its whole text nor
// all its statements are held at once; what it finds is what scanSql finds on the whole text (a
// test compares the two with chunks cut everywhere). A chunk ends at a line end right after a
// statement's terminator (only blanks between), where the splitter stands between statements:
// never inside a literal, a dollar-quoted body, a comment, parentheses, a BEGIN ATOMIC body or
// COPY data. What the state carried from chunk to chunk cannot express (templated SQL, T-SQL
// `GO`, a text that may be MySQL, SQLite's rebuild idiom) is left to the whole-text scan: the
// chunked scan then says so (undefined) before it has reported anything.

/** The characters a chunk holds at least (more when no boundary comes sooner). */
export const CHUNK_CHARS = 1024 * 1024;
/** What readPostgresFamily reads of a text's start. */
const HEAD_CHARS = 20000;
/** Text after a chunk's end a message may quote (findUnreadable shows up to 40 characters of a statement's start). */
const LOOKAHEAD = 64;

export interface ChunkedSqlInput extends Omit<SqlScanInput, 'text' | 'lineAt'> {
  /**
   * Whether the tables created and the columns and indexes added are kept for the result (a down
   * migration's scan asks for them); false: let go after each chunk (a seed file adds hundreds of
   * thousands). Default: true.
   */
  keepAdditions?: boolean;
}

/**
 * Scans the text `pieces` give (in order) as scanSql scans it whole, or gives undefined when it
 * needs the whole text (nothing was reported then). `chunkChars`: smaller in tests, so chunk
 * boundaries fall everywhere.
 */
export function scanSqlChunked(given: ChunkedSqlInput, pieces: Iterator<string>, chunkChars = CHUNK_CHARS): SqlScanResult | undefined {
  let buf = '';
  let eof = false;
  const more = (): boolean => {
    const next = pieces.next();
    if (next.done) eof = true;
    else buf += next.value;
    return !eof;
  };
  while (buf.length < HEAD_CHARS && more());
  const chosen = given.dialect ?? given.options.dialect;
  const family = chosen === 'sqlite' || chosen === 'cockroachdb' ? chosen : chosen ? undefined : readPostgresFamily(given.file, buf.slice(0, HEAD_CHARS));
  const own = chosen ? readLexerDialect(chosen) : family ? 'postgres' : undefined;
  // MySQL (its DELIMITER state), SQLite (the rebuild idiom is judged over all findings): whole text.
  if ((own ?? given.dialectHint ?? 'postgres') !== 'postgres' || family === 'sqlite') return undefined;
  /** Whether MySQL-only syntax anywhere would make the whole text MySQL (scanSql's switch). */
  const mayBeMysql = own === undefined;
  const ctx = createScanContext({ ...given, text: '' }, '', [], 'postgres', family, () => 1);
  let previousStart: number | undefined;
  let baseLine = 1;
  let want = chunkChars;
  for (;;) {
    while (!eof && buf.length < want + LOOKAHEAD) more();
    // Offsets within the chunk; lines, markers and neighbours as in the whole text.
    const text = buf;
    const lines = new LineIndex(text);
    const firstLine = baseLine;
    ctx.input = { ...given, text };
    ctx.original = text;
    ctx.lineAt = (o: number) => firstLine - 1 + lines.lineOf(o);
    ctx.checksReadTo = 0;
    const scan = new StatementScan(ctx, previousStart);
    const chunk = scanChunk(text, Math.max(1, want), eof, scan);
    if (!chunk) {
      want *= 2; // no boundary yet (nothing was scanned): read on
      continue;
    }
    want = chunkChars;
    const { cut } = chunk;
    if (needsWholeText(text.slice(0, cut), chunk.mysqlSyntax, mayBeMysql)) return undefined;
    scan.finish(chunk.markers, chunk.known);
    readNotNullChecks(ctx, cut);
    if (given.keepAdditions === false) {
      ctx.added = [];
      ctx.ownCreated = [];
    }
    previousStart = scan.previousStart;
    baseLine += countLines(text, cut);
    ctx.base += cut;
    buf = buf.slice(cut);
    if (eof && buf.length === 0) break;
  }
  return { findings: ctx.findings, created: ctx.ownCreated, added: ctx.added, dialect: ctx.dialect, rejected: ctx.rejected };
}

/**
 * Splits `text` and scans its statements up to a boundary: the first at or after `target`, or the
 * last one before the splitter ran into the end of what has been read (a literal, a comment or
 * parentheses not closed by then, a statement cut off). Statements are held back from the scan
 * until a boundary follows them, so what lies past the boundary is split again with the next
 * chunk. Undefined when no boundary was found (then nothing was scanned).
 */
function scanChunk(text: string, target: number, eof: boolean, scan: StatementScan): { cut: number; markers: readonly SafetyMarker[]; known: number; mysqlSyntax: boolean } | undefined {
  let held: { stmt: SqlStatement; known: number }[] = [];
  let cut = 0;
  let known = 0;
  let mysqlSyntax = false;
  const readTo = eof ? text.length : text.length - LOOKAHEAD;
  const result = splitStatements(text, 'postgres', 0, text.length, (stmt, state) => {
    if (!eof && (stmt.unreadable || stmt.terminatorEnd >= readTo)) return false;
    held.push({ stmt, known: state.markers.length });
    const boundary = eof || stmt.words[0] === 'COPY' ? -1 : lineEndAfter(text, stmt.terminatorEnd);
    if (boundary < 0 || boundary > readTo) return true;
    for (const h of held) scan.take(h.stmt, state.markers, h.known);
    held = [];
    cut = boundary;
    known = state.markers.length;
    mysqlSyntax = state.mysqlSyntax;
    return boundary < target;
  });
  if (eof) {
    for (const h of held) scan.take(h.stmt, result.markers, h.known);
    return { cut: text.length, markers: result.markers, known: result.markers.length, mysqlSyntax: result.mysqlSyntax };
  }
  return cut > 0 ? { cut, markers: result.markers, known, mysqlSyntax } : undefined;
}

/** Just past the line end after `at` when only blanks come between, else -1. */
function lineEndAfter(text: string, at: number): number {
  for (let i = at; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) return i + 1;
    if (c !== 32 && c !== 9 && c !== 13) return -1;
  }
  return -1;
}

/** What scanSql reads over the whole text before its first statement, seen in this chunk. */
function needsWholeText(chunk: string, mysqlSyntax: boolean, mayBeMysql: boolean): boolean {
  // a `#` line may make the whole text MySQL (readOwnDialect)
  if (mayBeMysql && (mysqlSyntax || /^[ \t]*#(?!!)/m.test(chunk))) return true;
  if (standInPlaceholders(chunk).placeholders.length > 0) return true;
  return readGoBatches(chunk).lines.length > 0;
}

/** Line ends before `to`. */
function countLines(text: string, to: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < to; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
