import type { Finding } from '../finding.js';
import { LineIndex } from '../line-index.js';
import { RebuildIdiom, describeGoBatches, readGoBatches } from './dialect-idioms.js';
import { readDialectSigns, readLexerDialect, readPostgresFamily } from './detect-dialect.js';
import { PackedFindings } from './packed-findings.js';
import type { SqlScanInput } from './scan-context.js';
import { type SqlScanResult, StatementScan, createScanContext, readNotNullChecks } from './scan-sql.js';
import type { Dialect } from './sql-lexer.js';
import { type SafetyMarker, type SqlStatement, splitStatements } from './split-statements.js';
import { standInPlaceholders } from './stand-in-placeholders.js';

// A large SQL file scanned in chunks cut at statement boundaries, so neither its whole text nor
// all its statements are held at once; what it finds is what scanSql finds on the whole text (a
// test compares the two with chunks cut everywhere). A chunk ends at a line end right after a
// statement's terminator (only blanks between), where the splitter stands between statements:
// never inside a literal, a dollar-quoted body, a comment, parentheses, a BEGIN ATOMIC body, a
// MySQL routine or COPY data. Carried from chunk to chunk: lines, MySQL's DELIMITER, what scanSql
// reads over the whole text (a `#` line, a dollar quote, MySQL-only syntax: which dialect the text
// is; the tables made, for SQLite's rebuild idiom; `GO` lines). Placeholders and `GO` are read line
// by line, so they are stood in per chunk (on whole lines). A text found to be MySQL when read as
// PostgreSQL (scanSql starts over then) is read again from its start as MySQL.

/** The characters a chunk holds at least (more when no boundary comes sooner). */
export const CHUNK_CHARS = 1024 * 1024;
/** What readPostgresFamily reads of a text's start. */
const HEAD_CHARS = 20000;
/** Text after a chunk's end a message may quote (findUnreadable shows up to 40 characters of a statement's start). */
const LOOKAHEAD = 64;
/** Text prepared past a chunk's wanted size, for the statement that crosses it. */
const PREPARED_PAST = 64 * 1024;

export interface ChunkedSqlInput extends Omit<SqlScanInput, 'text' | 'lineAt'> {
  /**
   * Whether the tables created and the columns and indexes added are kept for the result (a down
   * migration's scan asks for them); false: let go after each chunk (a seed file adds hundreds of
   * thousands). Default: true.
   */
  keepAdditions?: boolean;
  /** Findings packed chunk by chunk (a large file's: PackedFindings), not held as objects; the result's `findings` then stays empty. */
  packFindings?: boolean;
}

export interface ChunkedSqlResult extends SqlScanResult {
  /** The findings, when packed (`packFindings`): unpacked a chunk's at a time, in the order found. */
  packed?: () => Iterable<Finding[]>;
}

/**
 * Scans the text `open()` gives in pieces (in order) as scanSql scans it whole. `open` is called
 * again when the text must be read a second time (found to be MySQL). `chunkChars`: smaller in
 * tests, so chunk boundaries fall everywhere.
 */
export function scanSqlChunked(given: ChunkedSqlInput, open: () => Iterator<string>, chunkChars = CHUNK_CHARS): ChunkedSqlResult {
  const first = scanPass(given, open, chunkChars, false);
  if (first !== 'mysql') return first;
  const again = scanPass(given, open, chunkChars, true);
  if (again === 'mysql') throw new Error('the MySQL scan asked to switch dialect');
  return again;
}

/** One reading of the text; 'mysql' when read as PostgreSQL and found to be MySQL (read it again so). */
function scanPass(given: ChunkedSqlInput, open: () => Iterator<string>, chunkChars: number, asMysql: boolean): ChunkedSqlResult | 'mysql' {
  const pieces = open();
  try {
    return scanPieces(given, pieces, chunkChars, asMysql);
  } finally {
    pieces.return?.();
  }
}

function scanPieces(given: ChunkedSqlInput, pieces: Iterator<string>, chunkChars: number, asMysql: boolean): ChunkedSqlResult | 'mysql' {
  let buf = '';
  let eof = false;
  const more = (): boolean => {
    const next = pieces.next();
    if (next.done) eof = true;
    else buf += next.value;
    return !eof;
  };
  // The head, to its line end (placeholders are stood in on whole lines).
  while ((buf.length < HEAD_CHARS || buf.indexOf('\n', HEAD_CHARS) < 0) && more());
  const chosen = asMysql ? 'mysql' : (given.dialect ?? given.options.dialect);
  const family = chosen === 'sqlite' || chosen === 'cockroachdb' ? chosen : chosen ? undefined : readPostgresFamily(given.file, prepare(buf).text.slice(0, HEAD_CHARS));
  const own = chosen ? readLexerDialect(chosen) : family ? 'postgres' : undefined;
  const dialect: Dialect = own ?? given.dialectHint ?? 'postgres';
  /** Whether the text may yet turn out to be MySQL (scanSql: a `#` line and no dollar quote, or MySQL-only syntax). */
  const watch = own === undefined && dialect === 'postgres';
  const signs = { hashLine: false, dollarQuote: false };
  const ctx = createScanContext({ ...given, text: '' }, '', [], dialect, family, () => 1);
  const goLines: number[] = [];
  /** SQLite: the rebuild idiom, its findings let go chunk by chunk where sure, the rest judged at the end. */
  const idiom = family === 'sqlite' ? new RebuildIdiom() : undefined;
  /** How many of ctx.findings and ctx.ownCreated the idiom has taken in. */
  let judged = 0;
  let madeTaken = 0;
  const packed = given.packFindings ? new PackedFindings() : undefined;
  let previousStart: number | undefined;
  let delimiter = ';';
  let baseLine = 1;
  let want = chunkChars;
  for (;;) {
    while (!eof && buf.length < want + LOOKAHEAD) more();
    // Whole lines only (the last one may not have been read to its end), read as scanSql reads them;
    // not much past what this chunk wants (what lies past the cut is prepared again with the next).
    const limit = want + LOOKAHEAD + PREPARED_PAST;
    const last = eof && buf.length <= limit;
    const original = last ? buf : buf.slice(0, buf.lastIndexOf('\n', limit) + 1);
    const { text, placeholders, go } = prepare(original);
    // Offsets within the chunk; lines, markers and neighbours as in the whole text.
    const lines = new LineIndex(text);
    const firstLine = baseLine;
    ctx.input = { ...given, text };
    ctx.original = original;
    ctx.placeholders = placeholders;
    ctx.lineAt = (o: number) => firstLine - 1 + lines.lineOf(o);
    ctx.checksReadTo = 0;
    const scan = new StatementScan(ctx, previousStart);
    const chunk = scanChunk(text, Math.max(1, want), last, scan, dialect, delimiter);
    if (!chunk) {
      want *= 2; // no boundary yet (nothing was scanned): read on
      continue;
    }
    if (watch && chunk.mysqlSyntax) return 'mysql';
    want = chunkChars;
    const { cut } = chunk;
    scan.finish(chunk.markers, chunk.known);
    readNotNullChecks(ctx, cut);
    const lineCount = countLines(text, cut);
    for (const line of go) if (cut === text.length || line <= lineCount) goLines.push(firstLine - 1 + line);
    if (watch) {
      const seen = readDialectSigns(cut === text.length ? text : text.slice(0, cut));
      signs.hashLine ||= seen.hashLine;
      signs.dollarQuote ||= seen.dollarQuote;
    }
    if (idiom) {
      idiom.addCreated(ctx.ownCreated.slice(madeTaken));
      const fresh = ctx.findings.splice(judged);
      idiom.noteRenames(fresh);
      for (const f of idiom.prune(fresh)) ctx.findings.push(f);
      judged = ctx.findings.length;
      madeTaken = ctx.ownCreated.length;
    }
    if (packed) {
      packed.add(ctx.findings);
      ctx.findings = [];
      judged = 0;
    }
    if (given.keepAdditions === false) {
      ctx.added = [];
      ctx.ownCreated = [];
      madeTaken = 0;
    }
    previousStart = scan.previousStart;
    delimiter = chunk.delimiter;
    baseLine += lineCount;
    ctx.base += cut;
    buf = buf.slice(cut);
    if (last && buf.length === 0) break;
  }
  if (watch && signs.hashLine && !signs.dollarQuote) return 'mysql';
  describeGoBatches(goLines, given.file, ctx.rejected);
  const result = { created: ctx.ownCreated, added: ctx.added, dialect: ctx.dialect, rejected: ctx.rejected };
  if (packed) return { ...result, findings: [], packed: () => unpack(packed, idiom) };
  return { ...result, findings: idiom ? idiom.finish(ctx.findings) : ctx.findings };
}

/** Packed findings a chunk's at a time; SQLite's: judged with all of the text known. */
function* unpack(packed: PackedFindings, idiom: RebuildIdiom | undefined): Generator<Finding[], void> {
  for (const batch of packed.batches()) yield idiom ? idiom.finish(batch) : batch;
}

/** Whole lines as scanSql reads them: names stand in for placeholders, `GO` lines end statements (same length). */
function prepare(original: string): { text: string; placeholders: ReturnType<typeof standInPlaceholders>['placeholders']; go: number[] } {
  const standIns = standInPlaceholders(original);
  const batches = readGoBatches(standIns.text);
  return { text: batches.text, placeholders: standIns.placeholders, go: batches.lines };
}

/**
 * Splits `text` and scans its statements up to a boundary: the first at or after `target`, or the
 * last one before the splitter ran into the end of what has been read (a literal, a comment or
 * parentheses not closed by then, a statement cut off). Statements are held back from the scan
 * until a boundary follows them, so what lies past the boundary is split again with the next
 * chunk. Undefined when no boundary was found (then nothing was scanned).
 */
function scanChunk(text: string, target: number, eof: boolean, scan: StatementScan, dialect: Dialect, delimiter: string): Chunk | undefined {
  let held: { stmt: SqlStatement; known: number }[] = [];
  let cut = 0;
  let known = 0;
  let mysqlSyntax = false;
  let delimiterAfter = delimiter;
  let full = false;
  // At the end of the text every statement is whole; before it, those near the end may not be.
  const readTo = eof ? text.length : text.length - LOOKAHEAD;
  const result = splitStatements(text, dialect, 0, text.length, (stmt, state) => {
    if (!eof && (stmt.unreadable || stmt.terminatorEnd >= readTo)) return false;
    held.push({ stmt, known: state.markers.length });
    const boundary = stmt.words[0] === 'COPY' ? -1 : lineEndAfter(text, stmt.terminatorEnd);
    if (boundary < 0 || boundary > readTo) return true;
    for (const h of held) scan.take(h.stmt, state.markers, h.known);
    held = [];
    cut = boundary;
    known = state.markers.length;
    mysqlSyntax = state.mysqlSyntax;
    delimiterAfter = state.delimiter;
    full = boundary >= target;
    return !full;
  }, delimiter);
  if (eof && !full) {
    for (const h of held) scan.take(h.stmt, result.markers, h.known);
    return { cut: text.length, markers: result.markers, known: result.markers.length, mysqlSyntax: result.mysqlSyntax, delimiter: delimiterAfter };
  }
  return cut > 0 ? { cut, markers: result.markers, known, mysqlSyntax, delimiter: delimiterAfter } : undefined;
}

interface Chunk {
  /** Where the chunk ends: just past a line end. */
  cut: number;
  markers: readonly SafetyMarker[];
  /** How many of `markers` lie before the cut. */
  known: number;
  /** MySQL-only syntax before the cut. */
  mysqlSyntax: boolean;
  /** MySQL's delimiter in force at the cut. */
  delimiter: string;
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

/** Line ends before `to`. */
function countLines(text: string, to: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < to; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
