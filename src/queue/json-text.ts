import jsonc, { type ParseError, type ParseErrorCode } from 'jsonc-parser';
import { InputError } from '../errors.js';

const MAX_DEPTH = 256;

/** Strict JSON.parse with a message a person can act on: file, line, column, what was expected. */
export function parseJsonText(text: string, file: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text); // iterative in V8: any depth parses
  } catch {
    throw new InputError(`${file}: ${describeSyntaxError(text)}`);
  }
  // What reads the value later (validation, write-back) recurses: refuse a depth no queue needs.
  if (nestedDeeperThan(value, MAX_DEPTH)) {
    const { line, column } = lineColumn(text, findExcessiveNesting(text) ?? 0);
    throw new InputError(`${file}: line ${line}, column ${column}: nested deeper than ${MAX_DEPTH} levels`);
  }
  return value;
}

/** Whether a parsed JSON value nests objects and arrays deeper than `max`; iterative, one pass. */
function nestedDeeperThan(root: unknown, max: number): boolean {
  const values: unknown[] = [root];
  const depths: number[] = [0];
  while (values.length > 0) {
    const value = values.pop();
    const depth = depths.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (depth + 1 > max) return true;
    const children = Array.isArray(value) ? value : Object.values(value);
    for (const child of children) {
      if (child !== null && typeof child === 'object') {
        values.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}

function describeSyntaxError(text: string): string {
  if (text.trim() === '') return 'the file is empty (expected a JSON object)';
  const errors: ParseError[] = [];
  jsonc.parse(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const first = errors[0];
  if (!first) return 'not valid JSON';
  const { line, column } = lineColumn(text, first.offset);
  return `line ${line}, column ${column}: not valid JSON: ${explain(first.error)}`;
}

// jsonc-parser's error codes (a const enum there, so spelled out here).
const EXPLAINED: Record<number, string> = {
  1: 'an unexpected character',
  2: 'a number is not written as JSON numbers are',
  3: 'expected a property name in double quotes',
  4: 'expected a value',
  5: "expected ':' after a property name",
  6: "expected ',' between values",
  7: "expected '}'",
  8: "expected ']'",
  9: 'unexpected text after the end of the JSON value',
  10: 'comments are not allowed in JSON',
  11: 'a comment is not closed',
  12: 'a string is not closed',
  13: 'a number is cut short',
  14: 'a \\u escape is not valid',
  15: 'an escape sequence is not valid',
  16: 'a control character inside a string (escape it)',
};

function explain(code: ParseErrorCode): string {
  return EXPLAINED[code] ?? jsonc.printParseErrorCode(code);
}

export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

function findExcessiveNesting(text: string): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > MAX_DEPTH) return i;
    } else if (c === 125 || c === 93) depth--;
  }
  return undefined;
}

/** Where one task object sits in the file text: what a write-back needs to patch it in place. */
export interface TaskLocation {
  start: number;
  end: number;
  id?: string;
  /** The `status` value's extent, quotes included, when the task has one. */
  status?: { offset: number; length: number };
  /** End of the last property's value: where a new property goes. */
  lastValueEnd: number;
  /** Whitespace before a property when the object is written one property a line; '' when inline. */
  indent: string;
}

/** Finds every task object of `root[tasksKey]` in the text, with the places a write-back edits. */
export function locateTasks(text: string, tasksKey: string): TaskLocation[] {
  const found: TaskLocation[] = [];
  let depth = 0;
  let inTasks = false;
  let pendingKey: string | undefined;
  let current: TaskLocation | undefined;
  let currentKey: string | undefined;
  let firstPropertyOffset: number | undefined;
  const valueEnded = (end: number): void => {
    if (current && depth === 3) current.lastValueEnd = end;
  };
  jsonc.visit(
    text,
    {
      onObjectBegin: (offset) => {
        depth++;
        if (inTasks && depth === 3) {
          current = { start: offset, end: offset, lastValueEnd: offset + 1, indent: '' };
          firstPropertyOffset = undefined;
        }
      },
      onObjectEnd: (offset) => {
        if (current && depth === 3) {
          current.end = offset + 1;
          current.indent = indentOf(text, current.start, firstPropertyOffset);
          found.push(current);
          current = undefined;
        }
        depth--;
        valueEnded(offset + 1);
      },
      onArrayBegin: () => {
        depth++;
        if (depth === 2 && pendingKey === tasksKey) inTasks = true;
      },
      onArrayEnd: (offset) => {
        if (depth === 2) inTasks = false;
        depth--;
        valueEnded(offset + 1);
      },
      onObjectProperty: (property, offset) => {
        if (depth === 1) pendingKey = property;
        if (current && depth === 3) {
          currentKey = property;
          firstPropertyOffset ??= offset;
        }
      },
      onLiteralValue: (value: unknown, offset, length) => {
        if (current && depth === 3) {
          if (currentKey === 'status') current.status = { offset, length };
          if (currentKey === 'id' && typeof value === 'string') current.id = value;
        }
        valueEnded(offset + length);
      },
    },
    { disallowComments: true, allowTrailingComma: false },
  );
  return found;
}

function indentOf(text: string, objectStart: number, firstProperty: number | undefined): string {
  if (firstProperty === undefined) return '';
  const between = text.slice(objectStart + 1, firstProperty);
  const nl = between.lastIndexOf('\n');
  return nl === -1 ? '' : between.slice(nl + 1);
}
