import type { SqlStatement } from './split-statements.js';

// Fail closed: a statement the scanner cannot place is reported (`unparsed-sql`), never passed.
// A statement is placed when it starts with a command word of PostgreSQL, MySQL or SQLite (or a
// psql/mysql client command, or an opening parenthesis of a query); anything else (a stray word, a
// lone operator, text that is not SQL) is not understood.

const COMMANDS = new Set([
  'ABORT', 'ALTER', 'ANALYZE', 'ANALYSE', 'ATTACH', 'BEGIN', 'CALL', 'CHECKPOINT', 'CLOSE', 'CLUSTER', 'COMMENT', 'COMMIT',
  'COPY', 'CREATE', 'DEALLOCATE', 'DECLARE', 'DELETE', 'DETACH', 'DISCARD', 'DO', 'DROP', 'END', 'EXECUTE', 'EXEC', 'EXPLAIN',
  'FETCH', 'GRANT', 'IMPORT', 'INSERT', 'LISTEN', 'LOAD', 'LOCK', 'MERGE', 'MOVE', 'NOTIFY', 'PREPARE', 'REASSIGN', 'REFRESH',
  'REINDEX', 'RELEASE', 'RESET', 'REVOKE', 'ROLLBACK', 'SAVEPOINT', 'SECURITY', 'SELECT', 'SET', 'SHOW', 'START', 'TABLE',
  'TRUNCATE', 'UNLISTEN', 'UPDATE', 'VACUUM', 'VALUES', 'WITH', 'PRAGMA', 'REPLACE', 'RENAME', 'USE', 'OPTIMIZE', 'FLUSH',
  'KILL', 'SOURCE', 'UNLOCK', 'HANDLER', 'INSTALL', 'UNINSTALL', 'CHECKSUM', 'REPAIR', 'CACHE', 'PURGE', 'XA', 'CHANGE',
  'DESCRIBE', 'DESC', 'HELP', 'GET', 'SIGNAL', 'RESIGNAL', 'RETURN', 'IF', 'ELSE', 'ELSIF', 'ELSEIF', 'LOOP', 'WHILE',
  'REPEAT', 'CASE', 'OPEN', 'LEAVE', 'ITERATE', 'RAISE', 'PERFORM', 'EXCEPTION', 'FOR', 'FOREACH', 'EXIT', 'CONTINUE',
  'GO', 'PRINT', 'STOP', 'BACKUP', 'RESTORE', 'SHUTDOWN', 'ECHO', 'CHECK', 'RESET', 'SECURITY', 'NULL', 'TRANSACTION',
  'DELIMITER', 'LABEL', 'PREPARE', 'CONNECT', 'WAITFOR', 'MODIFY', 'UNDO', 'REDO',
]);
/** What may follow a statement's opening parenthesis: `(SELECT ...) UNION (SELECT ...)`. */
const AFTER_PAREN = new Set(['SELECT', 'WITH', 'VALUES', 'TABLE']);

/** Why a statement is not understood, or undefined when it is. */
export function findUnreadable(stmt: SqlStatement, text: string): string | undefined {
  if (stmt.unreadable) return stmt.unreadable;
  const first = text.charCodeAt(stmt.start);
  const word = stmt.words[0] ?? '';
  if (isWordStart(first)) {
    if (COMMANDS.has(word)) return undefined;
    // A label (`<<outer>>`, `name:`) or a template's leftovers are not statements of their own.
    return `'${text.slice(stmt.start, stmt.start + 40).split(/\s/)[0]}' does not start a SQL statement`;
  }
  if (first === 40 && AFTER_PAREN.has(word)) return undefined;
  const shown = text.slice(stmt.start, stmt.start + 20).replace(/\s+/g, ' ');
  return `'${shown}${stmt.end - stmt.start > 20 ? '…' : ''}' does not start a SQL statement`;
}

function isWordStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}
