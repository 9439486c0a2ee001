// One family of typed errors. The message is what the user reads; only cli/main.ts turns
// an error into an exit code.

export const ExitCode = {
  done: 0,
  taskFailed: 1,
  badInput: 2,
  awaitingApproval: 3,
  aborted: 4,
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

/** SIGINT/SIGTERM: the running step was stopped and state saved. */
export class InterruptError extends LoopError {
  constructor(message: string) {
    super(message, ExitCode.interrupted);
  }
}

/** Joins problems into one message: a header line and one `path: message` line each. */
export function formatProblems(header: string, problems: string[]): string {
  if (problems.length === 0) return header;
  if (problems.length === 1) return `${header}: ${problems[0]}`;
  return [header, ...problems.map((p) => `  ${p}`)].join('\n');
}
