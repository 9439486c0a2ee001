// One family of typed errors. The message is what the user reads; only cli/main.ts turns
// an error into an exit code.

export const ExitCode = {
  done: 0,
  taskFailed: 1,
  badInput: 2,
  awaitingApproval: 3,
  aborted: 4,
  /** The tool's own storage failed or cannot be trusted (DESIGN: disk full, a store that lost rows). */
  storageFailed: 5,
  /** Paused, resumable at a stated time (a usage limit past `retry.max_wait_seconds`). */
  paused: 6,
  interrupted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export class LoopError extends Error {
  readonly exitCode: ExitCodeValue;
  constructor(message: string, exitCode: ExitCodeValue) {
    super(message);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** Bad input: a file, a flag or a value the user gave. Exit 2, nothing written. */
export class InputError extends LoopError {
  /** Every problem found, each as `path: message`. */
  readonly problems: string[];
  constructor(message: string, problems: string[] = []) {
    super(message, ExitCode.badInput);
    this.problems = problems;
  }
}

/** Another loop holds the project lock. */
export class LockError extends LoopError {
  constructor(message: string) {
    super(message, ExitCode.badInput);
  }
}

/** The person at the prompt chose (A)bort. State is saved; a later run resumes. */
export class AbortError extends LoopError {
  constructor(message: string) {
    super(message, ExitCode.aborted);
  }
}

/** A usage limit resets later than the contract lets the loop wait: state saved, run again then. */
export class PausedError extends LoopError {
  constructor(message: string) {
    super(message, ExitCode.paused);
  }
}

/** SIGINT/SIGTERM: the running step was stopped and state saved. */
export class InterruptError extends LoopError {
  constructor(message: string) {
    super(message, ExitCode.interrupted);
  }
}

const MAX_LISTED = 50;

/**
 * Joins problems into one message: a header line and one `path: message` line each, the first
 * 50 of them (`InputError.problems` keeps them all).
 */
export function formatProblems(header: string, problems: string[]): string {
  if (problems.length === 0) return tidyLine(header);
  if (problems.length === 1) return tidyLine(`${header}: ${problems[0]}`);
  const listed = problems.slice(0, MAX_LISTED).map((p) => `  ${tidyLine(p)}`);
  if (problems.length > MAX_LISTED) listed.push(`  … and ${problems.length - MAX_LISTED} more`);
  return [tidyLine(header), ...listed].join('\n');
}

/** A value the user wrote, quoted for a message: escaped like JSON, and long ones cut short. */
export function quoteValue(value: string, max = 80): string {
  const quoted = JSON.stringify(value.length > max ? value.slice(0, max) : value);
  return value.length > max ? `${quoted.slice(0, -1)}…" (${value.length} characters)` : quoted;
}

const MAX_LINE = 600;
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

// Problems quote what the user wrote: control, line-breaking and bidi characters are shown
// escaped and a long line is cut, so the message stays one readable block on the terminal.
function tidyLine(line: string): string {
  const escaped = line.replace(UNPRINTABLE, (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (escaped.length <= MAX_LINE) return escaped;
  const cut = /[\ud800-\udbff]/.test(escaped.charAt(MAX_LINE - 1)) ? MAX_LINE - 1 : MAX_LINE;
  return `${escaped.slice(0, cut)}… (${escaped.length - cut} more characters)`;
}
