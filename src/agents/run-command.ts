
export interface CommandSpec {
  /** argv: the program and its arguments. Never run through a shell. */
  argv: readonly string[];
  cwd: string;
  /** Added to the parent's environment. */
  env?: Record<string, string>;
  /** Written to the child's stdin, then closed. Without it stdin is closed at once. */
  input?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Called with each chunk of output as it arrives (stdout and stderr interleaved). */
  onOutput?: (chunk: string) => void;
  /** Keep at most this many characters of output (the tail). Default 1 MiB. */
  maxOutputChars?: number;
}

export interface CommandResult {
  argv: readonly string[];
  exitCode: number | null;
  /** stdout and stderr interleaved, as a person would have seen them (tail kept). */
  output: string;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** The run was cancelled through `signal`. */
  cancelled: boolean;
  /** Could not start (program not found, not executable). */
  failedToStart: boolean;
  durationMs: number;
  ok: boolean;
}

const KILL_GRACE_MS = 2_000;

/** Told of every process group started and ended, so a crashed loop's leftovers can be stopped. */
export interface ProcessTracker {
  started(pid: number): void;
  ended(pid: number): void;
}

let tracker: ProcessTracker | undefined;

export function trackProcesses(next: ProcessTracker | undefined): void {
  tracker = next;
}

/** Stops a process group (SIGTERM, then SIGKILL after a grace period). */
export function killProcessGroup(pid: number, graceMs = KILL_GRACE_MS): void {
  signalGroup(pid, 'SIGTERM');
  setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs).unref();
}

// The one place that starts processes. Each command runs in its own process group so that a
// timeout or a cancel stops the whole tree: no orphans left behind.
export async function runCommand(spec: CommandSpec): Promise<CommandResult> {
  const [file, ...args] = spec.argv;
  const started = Date.now();
  const max = spec.maxOutputChars ?? 1024 * 1024;
  let output = '';
  const keep = (chunk: string): void => {
    output += chunk;
    if (output.length > max * 2) output = output.slice(-max);
    spec.onOutput?.(chunk);
  };
  if (file === undefined) {
    return result(spec, { exitCode: null, output: 'empty command', stdout: '', stderr: '', failedToStart: true }, started);
  }
  const { execa } = await import('execa'); // loaded when a command first runs, not at start-up
  const child = execa(file, args, {
    cwd: spec.cwd,
    env: spec.env,
    extendEnv: true,
    input: spec.input ?? '',
    reject: false,
    all: false,
    detached: true,
    cleanup: true,
    stripFinalNewline: false,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const pid = child.pid;
  if (pid !== undefined) tracker?.started(pid);
  let timedOut = false;
  let cancelled = false;
  const killTree = (): void => {
    const pid = child.pid;
    if (pid === undefined) return;
    signalGroup(pid, 'SIGTERM');
    setTimeout(() => signalGroup(pid, 'SIGKILL'), KILL_GRACE_MS).unref();
  };
  const timer =
    spec.timeoutMs !== undefined && spec.timeoutMs > 0
      ? setTimeout(() => {
          timedOut = true;
          killTree();
        }, spec.timeoutMs)
      : undefined;
  const onAbort = (): void => {
    cancelled = true;
    killTree();
  };
  if (spec.signal?.aborted) onAbort();
  spec.signal?.addEventListener('abort', onAbort, { once: true });
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (c: string) => keep(c));
  child.stderr?.on('data', (c: string) => keep(c));
  try {
    const done = await child;
    const failedToStart = done.exitCode === undefined && done.failed && !timedOut && !cancelled;
    const stdout = typeof done.stdout === 'string' ? done.stdout : '';
    const stderr = typeof done.stderr === 'string' ? done.stderr : '';
    if (failedToStart && output === '') output = done.shortMessage ?? done.message ?? 'failed to start';
    return result(
      spec,
      { exitCode: done.exitCode ?? null, output: output.slice(-max), stdout: stdout.slice(-max), stderr: stderr.slice(-max), failedToStart },
      started,
      timedOut,
      cancelled,
    );
  } finally {
    if (timer) clearTimeout(timer);
    spec.signal?.removeEventListener('abort', onAbort);
    if (pid !== undefined) tracker?.ended(pid);
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone already
  }
}

function result(
  spec: CommandSpec,
  r: { exitCode: number | null; output: string; stdout: string; stderr: string; failedToStart: boolean },
  started: number,
  timedOut = false,
  cancelled = false,
): CommandResult {
  return {
    argv: spec.argv,
    ...r,
    timedOut,
    cancelled,
    durationMs: Date.now() - started,
    ok: r.exitCode === 0 && !timedOut && !cancelled && !r.failedToStart,
  };
}
