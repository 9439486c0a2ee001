import type { Finding } from '../finding.js';
import { LineIndex, byteOffsetToIndex } from '../line-index.js';
import { ParseErrorList } from '../parse-errors.js';
import { describeGoBatches, dropRebuildIdiom, readGoBatches } from './dialect-idioms.js';
import { type MarkerLine, findException, shortenStatement } from '../safety-marker.js';
import { type SqlHit, analyzeParsedStatement } from './analyze-parsed-statement.js';
import { type ParsedStatement, parsePostgres, parsePostgresBatch } from './parse-postgres.js';
import { type Dialect, Tok, someWord } from './sql-lexer.js';
import { type SafetyMarker, type SqlStatement, splitStatements } from './split-statements.js';
import { analyzeTokens, readAdditions, readCreatedTable, readIndexedTable } from './analyze-tokens.js';
import { findUnreadable } from './find-unreadable.js';
import { readUnderstood } from './understood-sql.js';
import { CreatedTables } from './created-tables.js';
import type { ReportState, ScanContext, SqlScanInput } from './scan-context.js';

export type { SqlScanInput } from './scan-context.js';
import { RULES_NOT_IN, readLexerDialect, readOwnDialect, readPostgresFamily } from './detect-dialect.js';
import { type Placeholder, describeStandIns, standInPlaceholders } from './stand-in-placeholders.js';
import { type SqlToken, tokenizeStatement } from './tokenize-statement.js';

export interface SqlScanResult {
  findings: Finding[];
  /** Tables this text creates (CREATE TABLE), for scratch-table checks of later text. */
  created: string[][];
  /** Columns and indexes this text adds, for its down migration. */
  added: string[];
  dialect: Dialect;
  /** Statements the Postgres parser rejected, read by the tokenizer instead: where (the file as given), and the parser's words. */
  rejected: ParseErrorList;
}

/**
 * Scans SQL text: the tokenizer splits it and picks the statements that can break a rule (by
 * their leading keywords and a look at their tokens); only those go to the Postgres parser, and
 * the tokenizer's reading stands in for the parser where it rejects the statement.
 */
export function scanSql(given: SqlScanInput): SqlScanResult {
  // Templated SQL is read with names standing in for its placeholders; T-SQL's `GO` lines end batches.
  const { text, placeholders } = standInPlaceholders(given.text);
  const batches = readGoBatches(text);
  const input = { ...given, text: batches.text };
  const chosen = input.dialect ?? input.options.dialect;
  const family = chosen === 'sqlite' || chosen === 'cockroachdb' ? chosen : chosen ? undefined : readPostgresFamily(input.file, input.text);
  const own = chosen ? readLexerDialect(chosen) : family ? 'postgres' : readOwnDialect(input.text);
  const first = own ?? input.dialectHint ?? 'postgres';
  // Statements are scanned as the splitter finds them (never all held at once). MySQL-only syntax
  // seen in a text read as Postgres starts the scan over as MySQL (dumps show it in their first lines).
  const ctx = scanAs(input, given.text, placeholders, first, family, !own && first === 'postgres') ?? scanAs(input, given.text, placeholders, 'mysql', undefined, false);
  if (!ctx) throw new Error('the MySQL scan asked to switch dialect');
  describeGoBatches(batches.lines, input.file, ctx.rejected);
  const findings = family === 'sqlite' ? dropRebuildIdiom(ctx.findings, ctx.ownCreated) : ctx.findings;
  return { findings, created: ctx.ownCreated, added: ctx.added, dialect: ctx.dialect, rejected: ctx.rejected };
}

function scanAs(
  input: SqlScanInput,
  original: string,
  placeholders: Placeholder[],
  dialect: Dialect,
  family: 'sqlite' | 'cockroachdb' | undefined,
  switchToMysql: boolean,
): ScanContext | undefined {
  const { text } = input;
  const lines = new LineIndex(text);
  const ctx = createScanContext(input, original, placeholders, dialect, family, input.lineAt ?? ((o: number) => lines.lineOf(o)));
  const scan = new StatementScan(ctx);
  let switched = false;
  const split = splitStatements(text, dialect, 0, text.length, (stmt, state) => {
    if (switchToMysql && state.mysqlSyntax) {
      switched = true;
      return false;
    }
    scan.take(stmt, state.markers, state.markers.length);
    return true;
  });
  if (switched || (switchToMysql && split.mysqlSyntax)) return undefined;
  scan.finish(split.markers, split.markers.length);
  return ctx;
}

/** The state of one text's scan, before its first statement (a chunked scan sets `input.text`, `base` and `lineAt` per chunk). */
export function createScanContext(
  input: SqlScanInput,
  original: string,
  placeholders: Placeholder[],
  dialect: Dialect,
  family: 'sqlite' | 'cockroachdb' | undefined,
  lineAt: (offset: number) => number,
): ScanContext {
  return {
    input,
    original,
    placeholders,
    family,
    dialect,
    base: 0,
    lineAt,
    markerLines: [],
    created: new CreatedTables(input.createdBefore),
    ownCreated: [],
    findings: [],
    keywordRules: input.rules.byScanner('sql').filter((r) => r.match.statement),
    rejected: new ParseErrorList(),
    neighbours: {},
    added: [],
    addedBefore: new Set(input.addedBefore ?? []),
    lockTimeoutSet: false,
    checkLockTimeout: input.checkLockTimeout ?? true,
    notNullChecks: new Set(),
    checksReadTo: 0,
    deferred: [],
    deferredChars: 0,
  };
}

/**
 * Scans statements as the splitter gives them, one statement behind it, so a trailing
 * `-- safety-exception` after `;` is known. `known`: how many of `markers` the splitter had found
 * when it gave the statement. Neighbours are absolute offsets (`ctx.base` added).
 */
export class StatementScan {
  private markersSeen = 0;
  private pending: SqlStatement | undefined;

  constructor(
    private readonly ctx: ScanContext,
    /** Where the statement before the first one starts (the previous chunk's last), absolute. */
    public previousStart?: number,
  ) {}

  take(stmt: SqlStatement, markers: readonly SafetyMarker[], known: number): void {
    this.takeMarkers(markers, known);
    this.scanPending(stmt.start + this.ctx.base);
    this.pending = stmt;
  }

  /** The last statement (nothing after it in this text), and the parser's waiting statements. */
  finish(markers: readonly SafetyMarker[], known: number): void {
    this.takeMarkers(markers, known);
    this.scanPending(undefined);
    readDeferred(this.ctx);
  }

  private takeMarkers(markers: readonly SafetyMarker[], known: number): void {
    if (known <= this.markersSeen) return;
    this.ctx.markerLines.push(...toMarkerLines(markers.slice(this.markersSeen, known), this.ctx.lineAt, this.ctx.base));
    this.markersSeen = known;
  }

  private scanPending(nextStart: number | undefined): void {
    const { ctx, pending: stmt, previousStart } = this;
    if (!stmt) return;
    ctx.neighbours = { ...(previousStart !== undefined ? { previousStart } : {}), ...(nextStart !== undefined ? { nextStart } : {}) };
    const unreadable = ctx.input.reportUnreadable === false ? undefined : findUnreadable(stmt, ctx.input.text);
    if (unreadable) {
      readDeferred(ctx);
      report(ctx, [{ rule: 'unparsed-sql', detail: unreadable }], stmt.start, stmt.end, stmt.terminatorEnd);
    } else scanStatement(ctx, stmt.start, stmt.end, stmt.terminatorEnd, stmt.words, ctx.dialect === 'postgres');
    this.previousStart = stmt.start + ctx.base;
    this.pending = undefined;
  }
}

const BATCH_STATEMENTS = 200;
const BATCH_CHARS = 64 * 1024;

/** Reads and reports the statements waiting for the parser: one call for all, one by one where that fails. */
function readDeferred(ctx: ScanContext): void {
  const jobs = ctx.deferred;
  if (jobs.length === 0) return;
  ctx.deferred = [];
  ctx.deferredChars = 0;
  const { text } = ctx.input;
  const batch: (ParsedStatement[] | undefined)[] | undefined = jobs.length > 1 ? parsePostgresBatch(jobs.map((j) => text.slice(j.start, j.end))) : undefined;
  jobs.forEach((job, i) => {
    const parsed = batch?.[i];
    const hits = [...job.hits, ...(parsed ? analyzeParsedStatement(parsed[0]?.node ?? {}) : readStatement(ctx, job.start, job.end, job.tokens))];
    if (hits.length > 0) report(ctx, hits, job.start, job.end, job.terminatorEnd, job.asOf);
  });
}

function scanStatement(ctx: ScanContext, start: number, end: number, terminatorEnd: number, words: string[], batch: boolean): void {
  const { text } = ctx.input;
  const hits: SqlHit[] = [];
  /** The statement goes to the parser (with its tokens when read already, for where the parser rejects it). */
  let parse: { tokens?: SqlToken[] } | undefined;
  for (const rule of ctx.keywordRules) {
    const prefix = rule.match.statement;
    if (prefix && prefix.every((w, i) => words[i] === w)) hits.push({ rule: rule.id });
  }
  switch (words[0]) {
    case 'CREATE': {
      if (words.includes('TABLE') || words.includes('VIEW')) {
        const name = readCreatedTable(tokenizeStatement(text, ctx.dialect, start, end, 12), text, ctx.dialect);
        if (name) {
          ctx.created.add(name);
          ctx.ownCreated.push(name);
        }
        break;
      }
      if (words[1] === 'INDEX' || (words[1] === 'UNIQUE' && words[2] === 'INDEX')) {
        const tokens = tokenizeStatement(text, ctx.dialect, start, end, 24);
        ctx.added.push(...readAdditions(tokens, text, ctx.dialect));
        // An index on a table made earlier in this text locks no one: no need to ask the parser.
        const table = readIndexedTable(tokens, text, ctx.dialect);
        if (!words.includes('CONCURRENTLY') && !(table && ctx.created.has(table))) parse = readKnownForm(ctx, start, end, hits);
      }
      break;
    }
    case 'DROP':
      if (words[1] === 'TABLE' || words[1] === 'INDEX') parse = readKnownForm(ctx, start, end, hits);
      else if (['SCHEMA', 'DATABASE'].includes(words[1] ?? '') || someWord(text, ctx.dialect, start, end, (lex) => lex.isWord('CASCADE'))) parse = {};
      break;
    case 'TRUNCATE':
    case 'RENAME':
      parse = {};
      break;
    case 'DELETE':
    case 'UPDATE':
      if (!hasTopLevelWhere(text, ctx.dialect, start, end) || ALWAYS_TRUE.test(text.slice(start, end))) parse = {};
      break;
    case 'SET':
      if (words.includes('LOCK_TIMEOUT')) {
        readDeferred(ctx); // the statements before it were read without it
        ctx.lockTimeoutSet = true;
      }
      break;
    case 'WITH': {
      const tokens = tokenizeStatement(text, ctx.dialect, start, end);
      if (tokens.some((t) => t.kind === Tok.Word && (t.value === 'DELETE' || t.value === 'UPDATE'))) parse = { tokens };
      break;
    }
    case 'ALTER': {
      // Most ALTER TABLE statements in a migration break no rule; the tokens tell which might,
      // and the parser has the last word on those.
      const tokens = tokenizeStatement(text, ctx.dialect, start, end);
      ctx.added.push(...readAdditions(tokens, text, ctx.dialect));
      // The parser reads every ALTER in a Postgres-family text that is not one of the forms read
      // from tokens, so what the tokens miss (or the parser rejects) is not passed over.
      if (ctx.dialect === 'postgres') parse = readKnownForm(ctx, start, end, hits, tokens);
      else if (analyzeTokens(tokens, text, ctx.dialect).length > 0) parse = { tokens };
      break;
    }
    case 'DO':
      if (ctx.dialect === 'postgres') {
        readDeferred(ctx);
        scanDoBlock(ctx, start, end);
      }
      break;
  }
  if (parse && batch) {
    // Read with the statements after it (one call of the parser), reported as it stood now.
    ctx.deferred.push({ start, end, terminatorEnd, tokens: parse.tokens, hits, asOf: { neighbours: ctx.neighbours, created: ctx.created.size } });
    ctx.deferredChars += end - start;
    if (ctx.deferred.length >= BATCH_STATEMENTS || ctx.deferredChars >= BATCH_CHARS) readDeferred(ctx);
    return;
  }
  if (parse || hits.length > 0) readDeferred(ctx);
  if (parse) hits.push(...readStatement(ctx, start, end, parse.tokens));
  if (hits.length > 0) report(ctx, hits, start, end, terminatorEnd);
}

/**
 * The forms read from tokens exactly as the parser would read them (understood-sql.ts) add their
 * hits and need no parser (undefined); anything else goes to the parser, with its tokens.
 */
function readKnownForm(ctx: ScanContext, start: number, end: number, hits: SqlHit[], tokens?: SqlToken[]): { tokens?: SqlToken[] } | undefined {
  if (ctx.dialect !== 'postgres') return { tokens };
  const all = tokens ?? tokenizeStatement(ctx.input.text, ctx.dialect, start, end);
  const known = readUnderstood(all, ctx.input.text);
  if (!known) return { tokens: all };
  hits.push(...known);
  return undefined;
}

/** A WHERE that may select every row (`WHERE true`, `WHERE 1=1`); the parser confirms. */
const ALWAYS_TRUE = /\bWHERE[\s(]+(TRUE|1\s*=\s*1|'[^']*'\s*=\s*'[^']*'|NOT\s+FALSE)\b/i;
/** Lock and rewrite rules: harmless on a table this text created before (it is empty, and no one reads it yet). */
const ON_EXISTING_TABLES = new Set([
  'index-not-concurrent', 'fk-not-valid', 'add-not-null-without-default', 'alter-column-type', 'set-not-null', 'check-not-valid',
  'unique-without-index', 'add-column-volatile-default',
]);

/** Whether a WHERE sits outside all parentheses; read with the lexer, no tokens kept. */
function hasTopLevelWhere(text: string, dialect: Dialect, start: number, end: number): boolean {
  return someWord(text, dialect, start, end, (lex, depth) => depth === 0 && lex.isWord('WHERE'));
}

/** The parser's reading of one statement, or the tokenizer's where the parser rejects it. */
function readStatement(ctx: ScanContext, start: number, end: number, tokens?: SqlToken[]): SqlHit[] {
  const { text } = ctx.input;
  const sql = text.slice(start, end);
  const parsed = parsePostgres(sql);
  if ('error' in parsed) {
    if (ctx.dialect === 'postgres') ctx.rejected.add(ctx.input.file, ctx.lineAt(start), parsed.error);
    return analyzeTokens(tokens ?? tokenizeStatement(text, ctx.dialect, start, end), text, ctx.dialect);
  }
  if (parsed.length === 1) return analyzeParsedStatement(parsed[0]?.node ?? {});
  if (parsed.length > 1) {
    // More than one statement where the tokenizer saw one: place each by the parser's offset,
    // which counts UTF-8 bytes, not string indexes.
    return parsed.flatMap((p) => {
      const at = start + skipSpace(sql, byteOffsetToIndex(sql, p.byteLocation));
      return analyzeParsedStatement(p.node).map((hit) => ({ ...hit, at }));
    });
  }
  return [];
}

/**
 * A DO block runs its body now, so the SQL statements in it are read too (function bodies are
 * only stored, and are not). Statements are found after PL/pgSQL's control words.
 */
function scanDoBlock(ctx: ScanContext, start: number, end: number): void {
  const { text } = ctx.input;
  const tokens = tokenizeStatement(text, ctx.dialect, start, end);
  const langAt = tokens.findIndex((t) => t.kind === Tok.Word && t.value === 'LANGUAGE');
  const lang = langAt >= 0 ? tokens[langAt + 1] : undefined;
  if (lang && lang.value.replace(/['"]/g, '').toLowerCase() !== 'plpgsql') return;
  const body = tokens.find((t, i) => t.kind === Tok.String && i !== langAt + 1);
  if (body?.contentStart === undefined || body.contentEnd === undefined) return;
  const inner = splitStatements(text, 'postgres', body.contentStart, body.contentEnd);
  ctx.markerLines.push(...toMarkerLines(inner.markers, ctx.lineAt, ctx.base));
  for (const piece of inner.statements) {
    const pieceTokens = tokenizeStatement(text, 'postgres', piece.start, piece.end);
    const verb = pieceTokens.findIndex(
      (t, i) => t.kind === Tok.Word && SQL_VERBS.has(t.value) && t.depth === 0 && (i === 0 || BLOCK_WORDS.has(pieceTokens[i - 1]?.value ?? '')),
    );
    const first = pieceTokens[verb];
    if (verb < 0 || !first) continue;
    const words = pieceTokens.slice(verb, verb + 4).filter((t) => t.kind === Tok.Word).map((t) => t.value);
    scanStatement(ctx, first.start, piece.end, piece.terminatorEnd, words, false);
  }
}
const SQL_VERBS = new Set(['DELETE', 'UPDATE', 'DROP', 'TRUNCATE', 'ALTER', 'CREATE', 'WITH']);
const BLOCK_WORDS = new Set(['BEGIN', 'THEN', 'ELSE', 'LOOP']);

function report(ctx: ScanContext, hits: SqlHit[], start: number, end: number, terminatorEnd: number, asOf?: ReportState): void {
  const { input } = ctx;
  const neighbours = asOf?.neighbours ?? ctx.neighbours;
  const created = asOf?.created ?? Infinity;
  const lastLine = ctx.lineAt(Math.max(start, Math.max(end, terminatorEnd) - 1));
  const seen = new Set<string>();
  for (const hit of hits) {
    const line = ctx.lineAt(hit.at ?? start);
    const at = hit.at ?? start;
    const span = { first: line, last: lastLine, start: at + ctx.base, ...neighbours };
    const exception = findException(ctx.markerLines, span, hit.rule, (w) => input.rules.rules.has(w));
    const suppressed = exception !== undefined;
    const statement = shortenStatement(ctx.original.slice(hit.at ?? start, end));
    const rule = input.rules.active(hit.rule);
    if (!rule || !rule.dialects.includes(ctx.dialect)) continue;
    if (ctx.family && RULES_NOT_IN[ctx.family].has(hit.rule)) continue;
    const note = describeStandIns(ctx.placeholders, start, end);
    if (hit.rule === 'drop-table' && hit.tables && hit.tables.length > 0 && hit.tables.every((t) => ctx.created.has(t, created))) continue;
    if (hit.table && ON_EXISTING_TABLES.has(hit.rule) && ctx.created.has(hit.table, created)) continue;
    // A down migration dropping the column or index its own up migration added loses nothing older.
    if (hit.object && ctx.addedBefore.has(hit.object)) continue;
    if (hit.rule === 'set-not-null' && hasNotNullCheck(ctx, start, hit.detail)) continue;
    if (ON_EXISTING_TABLES.has(hit.rule) && !ctx.lockTimeoutSet && ctx.checkLockTimeout && ctx.dialect === 'postgres' && !ctx.family) {
      ctx.lockTimeoutSet = true;
      const lock = input.rules.makeFinding('missing-lock-timeout', { file: input.file, line, statement, suppressed }, input.options);
      if (lock) ctx.findings.push(lock);
    }
    const key = `${hit.rule}\u0000${hit.detail ?? ''}\u0000${line}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const finding = input.rules.makeFinding(hit.rule, { file: input.file, line, statement, suppressed, detail: hit.detail, exception: exception?.reason, note }, input.options);
    if (finding) ctx.findings.push(finding);
  }
}

/**
 * SET NOT NULL after `CHECK (col IS NOT NULL)` on the column: PostgreSQL 12+ uses the check and
 * skips the scan. The text before is read once, from where the last question left off (linear).
 */
function hasNotNullCheck(ctx: ScanContext, before: number, detail: string | undefined): boolean {
  const column = detail?.split('.').pop()?.toLowerCase();
  if (!column || !/^\w+$/.test(column)) return false;
  readNotNullChecks(ctx, before);
  return ctx.notNullChecks.has(column);
}

/** Takes in the `CHECK (col IS NOT NULL)`s of the text before `to` not read yet (a chunked scan: all of a chunk before the next). */
export function readNotNullChecks(ctx: ScanContext, to: number): void {
  if (to <= ctx.checksReadTo) return;
  const checks = /CHECK\s*\(\s*"?(\w+)"?\s+IS\s+NOT\s+NULL\s*\)/gi;
  for (const m of ctx.input.text.slice(ctx.checksReadTo, to).matchAll(checks)) ctx.notNullChecks.add((m[1] ?? '').toLowerCase());
  ctx.checksReadTo = to;
}

function toMarkerLines(markers: readonly SafetyMarker[], lineAt: (offset: number) => number, base: number): MarkerLine[] {
  return markers.map((m) => ({ line: lineAt(m.offset), commentOnly: m.commentOnly, offset: m.offset + base, note: m.note }));
}

function skipSpace(text: string, i: number): number {
  let j = i;
  while (j < text.length && /\s/.test(text.charAt(j))) j++;
  return j;
}
