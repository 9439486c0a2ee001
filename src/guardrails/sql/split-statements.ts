import { SAFETY_MARKER, isAloneOnLine, readMarkerNote } from '../safety-marker.js';
import { type Dialect, SqlLexer, Tok, someWord } from './sql-lexer.js';

/** One statement of a SQL text: where it is and its first keywords (upper case). */
export interface SqlStatement {
  /** Offset of the first token (comments before it excluded). */
  start: number;
  /** Offset just past the last token, before the terminator. */
  end: number;
  /** Offset just past the terminator (or `end` when there is none). */
  terminatorEnd: number;
  words: string[];
  /** Why the statement could not be read (an unterminated literal, unbalanced parentheses), if so. */
  unreadable?: string;
}

/** A `safety-exception` marker found in a comment. */
export interface SafetyMarker {
  offset: number;
  /** The comment is alone on its line (only whitespace around it). */
  commentOnly: boolean;
  /** What the comment says after `safety-exception`: the rule it names, and why. */
  note: string;
}

export interface SplitResult {
  statements: SqlStatement[];
  markers: SafetyMarker[];
  /** The text used MySQL-only syntax outside comments and literals (backticks, DELIMITER, AUTO_INCREMENT, ENGINE=). */
  mysqlSyntax: boolean;
}

/**
 * Receives each statement as it ends instead of collecting them all (a 60 MB dump holds hundreds of
 * thousands); `false` stops the split. `markers` are those found so far.
 */
export type OnStatement = (statement: SqlStatement, state: { mysqlSyntax: boolean; markers: readonly SafetyMarker[]; delimiter: string }) => boolean | void;

const LEADING_WORDS = 4;
const BLOCK_WORDS = ['BEGIN', 'ATOMIC', 'CASE', 'END', 'IF', 'LOOP', 'WHILE', 'REPEAT'];
const MARKER_LENGTH = 'safety-exception'.length;
const COPY_FROM_STDIN = /\bFROM\s+STDIN\b/i;

/**
 * Splits SQL text into statements at top-level terminators, the way psql and mysql do: not inside
 * comments, literals, quoted identifiers, dollar-quoted bodies, parentheses, or compound bodies
 * (`BEGIN ATOMIC ... END` in Postgres, `BEGIN ... END` of MySQL routines); honours `DELIMITER`.
 * `delimiter`: the one in force at `from` (a chunk of a MySQL file after `DELIMITER $$`).
 */
export function splitStatements(text: string, dialect: Dialect, from = 0, to = text.length, onStatement?: OnStatement, delimiter = ';'): SplitResult {
  const markers: SafetyMarker[] = [];
  let stopped = false;
  const statements: SqlStatement[] = [];
  const lex = new SqlLexer(text, dialect, from, to);
  lex.delimiter = delimiter;
  let mysqlSyntax = false;

  let start = -1;
  let last = 0;
  let words: string[] = [];
  let depth = 0;
  let compound = false;
  let blockDepth = 0;
  let previousWord = '';
  let innerSemicolon = -1;

  const flush = (terminatorEnd: number, unreadable?: string): void => {
    if (start >= 0) {
      const statement: SqlStatement = { start, end: last, terminatorEnd, words, ...(unreadable ? { unreadable } : {}) };
      if (!mysqlSyntax && (words[0] === 'CREATE' || words[0] === 'ALTER')) mysqlSyntax = hasMysqlDdl(text, start, last, dialect);
      if (!onStatement) statements.push(statement);
      else if (onStatement(statement, { mysqlSyntax, markers, delimiter: lex.delimiter }) === false) stopped = true;
      if (words[0] === 'COPY' && COPY_FROM_STDIN.test(text.slice(start, last))) lex.position = skipCopyData(text, terminatorEnd, to);
    }
    start = -1;
    words = [];
    depth = 0;
    compound = false;
    blockDepth = 0;
    previousWord = '';
  };

  for (;;) {
    if (stopped) break;
    // Past its leading words, only the end of a statement matters here (routine bodies aside).
    const fast = words.length >= LEADING_WORDS && !compound;
    if (fast) lex.depth = depth;
    const kind = fast ? lex.nextBoundary() : lex.next();
    if (fast) {
      depth = lex.depth;
      if (lex.skippedEnd > last) last = lex.skippedEnd;
    }
    if (kind === Tok.End) {
      // Recover at statement boundaries rather than let one bad token swallow the rest: an
      // unterminated literal or comment ends its statement, and reading resumes on the next line;
      // parentheses never closed end the statement at the first `;` inside them.
      const broken = lex.unterminatedAt;
      if (broken >= 0) {
        lex.unterminatedAt = -1;
        if (start < 0) start = broken;
        const nl = text.indexOf('\n', broken);
        const resume = nl < 0 || nl >= to ? to : nl + 1;
        last = nl < 0 || nl >= to ? to : nl;
        flush(resume, `a ${describeOpening(text, broken)} that is never closed`);
        lex.innerSemicolon = -1;
        lex.position = resume;
        continue;
      }
      const semicolon = Math.min(...[lex.innerSemicolon, innerSemicolon].filter((at) => at >= start && at >= 0));
      if (start >= 0 && depth > 0 && Number.isFinite(semicolon)) {
        last = semicolon;
        flush(semicolon + 1, 'parentheses that are never closed');
        lex.innerSemicolon = -1;
        innerSemicolon = -1;
        lex.position = semicolon + 1;
        continue;
      }
      if (start >= 0 && depth > 0) {
        flush(to, 'parentheses that are never closed');
        break;
      }
      break;
    }
    if (kind === Tok.Comment) {
      // MySQL's executable comments (/*!40101 SET ... */) in dumps
      if (text.charCodeAt(lex.start + 2) === 33 && text.charCodeAt(lex.start + 1) === 42) mysqlSyntax = true;
      const at = lex.end - lex.start >= MARKER_LENGTH ? text.slice(lex.start, lex.end).search(SAFETY_MARKER) : -1;
      if (at >= 0) markers.push({ offset: lex.start + at, commentOnly: isAloneOnLine(text, lex.start, lex.end), note: readMarkerNote(text.slice(lex.start, lex.end)) });
      continue;
    }
    if (kind === Tok.Delimiter) {
      flush(lex.end);
      continue;
    }
    if (kind === Tok.Punct && lex.delimiter === ';' && text.charCodeAt(lex.start) === 59 && depth === 0 && blockDepth === 0) {
      flush(lex.end);
      lex.innerSemicolon = -1;
      innerSemicolon = -1;
      continue;
    }
    if (kind === Tok.Punct && text.charCodeAt(lex.start) === 59 && depth > 0 && innerSemicolon < 0 && !compound) innerSemicolon = lex.start;
    if (start < 0) {
      // Template directives ({% if %}, {{ config() }}) between statements are not statements.
      if (kind === Tok.Template) continue;
      // psql meta-commands (\connect db, \set ON_ERROR_STOP on) end at the end of their line.
      if (kind === Tok.Op && text.charCodeAt(lex.start) === 92) {
        const nl = text.indexOf('\n', lex.end);
        lex.position = nl < 0 || nl > to ? to : nl;
        continue;
      }
      start = lex.start;
      if (lex.isWord('DELIMITER')) {
        const newDelimiter = readDelimiter(text, lex.end, to);
        if (newDelimiter) {
          mysqlSyntax = true;
          lex.delimiter = newDelimiter.delimiter;
          lex.position = newDelimiter.lineEnd;
          start = -1;
          continue;
        }
      }
    }
    last = lex.end;
    if (kind === Tok.Punct) {
      const c = text.charCodeAt(lex.start);
      if (c === 40) depth++;
      else if (c === 41 && depth > 0) depth--;
    } else if (kind === Tok.QuotedIdent && text.charCodeAt(lex.start) === 96) {
      mysqlSyntax = true;
    } else if (kind === Tok.Word) {
      if (words.length < LEADING_WORDS) {
        words.push(lex.upperWord());
        if (words.length >= 2) compound = isRoutineDefinition(words);
      }
      if (compound) {
        const word = BLOCK_WORDS.find((w) => lex.isWord(w)) ?? '';
        blockDepth = trackBlock(word, previousWord, blockDepth, dialect);
        previousWord = word;
      }
    }
  }
  flush(to);
  return { statements, markers, mysqlSyntax };
}

function describeOpening(text: string, at: number): string {
  const c = text.charAt(at);
  if (c === '/' || c === '-') return 'comment';
  if (c === '$') return 'dollar-quoted string';
  if (c === '{') return 'template tag';
  if (c === '"' || c === '`') return `quoted name (${c})`;
  return 'string literal';
}

function isRoutineDefinition(words: string[]): boolean {
  if (words[0] !== 'CREATE') return false;
  for (let i = 1; i < words.length; i++) {
    const w = words[i];
    if (w === 'FUNCTION' || w === 'PROCEDURE' || w === 'TRIGGER' || w === 'EVENT') return true;
  }
  return false;
}

/** Depth of BEGIN ... END nesting inside a routine body, where `;` does not end the statement. */
function trackBlock(word: string, previousWord: string, blockDepth: number, dialect: Dialect): number {
  if (dialect === 'postgres') {
    if (word === 'ATOMIC' && previousWord === 'BEGIN') return blockDepth + 1;
    if (blockDepth > 0 && (word === 'BEGIN' || word === 'CASE')) return blockDepth + 1;
    if (blockDepth > 0 && word === 'END') return blockDepth - 1;
    return blockDepth;
  }
  if (word === 'BEGIN' || (blockDepth > 0 && word === 'CASE')) return blockDepth + 1;
  // MySQL: END IF / END LOOP / END WHILE / END REPEAT close no BEGIN; the END before them was
  // counted, so give it back.
  if (previousWord === 'END' && (word === 'IF' || word === 'LOOP' || word === 'WHILE' || word === 'REPEAT')) {
    return blockDepth + 1;
  }
  if (blockDepth > 0 && word === 'END') return blockDepth - 1;
  return blockDepth;
}

function readDelimiter(text: string, from: number, to: number): { delimiter: string; lineEnd: number } | undefined {
  const nl = text.indexOf('\n', from);
  const lineEnd = nl < 0 || nl > to ? to : nl;
  const rest = text.slice(from, lineEnd);
  if (!/^[ \t]/.test(rest)) return undefined;
  const delimiter = rest.trim().split(/\s+/)[0];
  return delimiter ? { delimiter, lineEnd } : undefined;
}

/** Whether a CREATE/ALTER statement uses MySQL-only types or options (a quick search, then the lexer's word). */
function hasMysqlDdl(text: string, start: number, end: number, dialect: Dialect): boolean {
  return MYSQL_DDL.test(text.slice(start, end)) && someWord(text, dialect, start, end, isMysqlOnlyWord);
}
const MYSQL_DDL = /AUTO_INCREMENT|UNSIGNED|TINYINT|MEDIUMINT|TINYTEXT|MEDIUMTEXT|LONGTEXT|MEDIUMBLOB|LONGBLOB|ENGINE/i;

/** Column types and options only MySQL has, or `ENGINE =` after a table definition's closing parenthesis. */
function isMysqlOnlyWord(lex: SqlLexer, depth: number): boolean {
  const first = lex.text.charCodeAt(lex.start) | 32;
  // a, e, l, m, t, u: the first letters of the words below; most words stop here
  if (first !== 97 && first !== 101 && first !== 108 && first !== 109 && first !== 116 && first !== 117) return false;
  if (MYSQL_WORDS.some((w) => lex.isWord(w))) return true;
  if (depth !== 0 || !lex.isWord('ENGINE')) return false;
  const t = lex.text;
  let i = lex.end;
  while (t.charCodeAt(i) === 32 || t.charCodeAt(i) === 9) i++;
  return t.charCodeAt(i) === 61;
}
const MYSQL_WORDS = ['AUTO_INCREMENT', 'UNSIGNED', 'TINYINT', 'MEDIUMINT', 'TINYTEXT', 'MEDIUMTEXT', 'LONGTEXT', 'MEDIUMBLOB', 'LONGBLOB'];

/** After `COPY ... FROM stdin;` comes data, not SQL, up to a line `\.` (psql, pg_dump). */
function skipCopyData(text: string, from: number, to: number): number {
  const nl = text.indexOf('\n', from);
  if (nl < 0 || nl >= to) return to;
  let at = nl + 1;
  while (at < to) {
    const e = text.indexOf('\n', at);
    const lineEnd = e < 0 || e > to ? to : e;
    if (text.slice(at, lineEnd).replace(/\r$/, '') === '\\.') return lineEnd;
    at = lineEnd + 1;
  }
  return to;
}
