import { createSecretStream, registerSecretValues } from '../log/redact-secrets.js';
import { secretValuesOf } from '../log/secrets/secret-values.js';
import { MARKER_NAME, newMarker, stopMarkedProcesses } from './marked-processes.js';
import { unwatchGroup, watchGroup } from './process-watchdog.js';

export interface CommandSpec {
  /** argv: the program and its arguments. Never run through a shell. */
  argv: readonly string[];
  cwd: string;
  /** Added to the parent's environment (or, with `inheritEnv: false`, the whole environment). */
  env?: Record<string, string>;
  /** false: the child gets `env` and nothing of this process's environment. Default true. */
  inheritEnv?: boolean;
  /** Written to the child's stdin, then closed. Without it stdin is closed at once. */
  input?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Called with each complete line of output as it arrives (stdout and stderr each line-buffered), secrets redacted. */
  onOutput?: (line: string) => void;
  /** Keep at most this many characters of output (the tail). Default 1 MiB. */
  maxOutputChars?: number;
  /**
   * Stop the command's whole process group, and every process carrying its marker (a `setsid`
   * child, one that ignores SIGTERM: SIGKILL after a grace period), when the command ends: a
   * daemon it left does not outlive it. Off for commands whose job is to start a service
   * (deploy), which must detach it.
   */
  stopGroupOnExit?: boolean;
}

export interface CommandResult {
  argv: readonly string[];
  exitCode: number | null;
  /** stdout and stderr interleaved, as a person would have seen them (tail kept); secrets redacted. */
  output: string;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** The run was cancelled through `signal`. */
  cancelled: boolean;
  /** Could not start (program not found, not executable). */
  failedToStart: boolean;
  /** Characters of output past the cap, not kept (the tail is). */
  droppedChars: number;
  durationMs: number;
  ok: boolean;
}

const KILL_GRACE_MS = 2_000;
/** After the command exits, how long a process it left holding its output is waited for. */
const OUTPUT_GRACE_MS = 2_000;

/** Told of every process group started and ended, so a crashed loop's leftovers can be stopped. */
export interface ProcessTracker {
  started(pid: number): Promise<void>;
  ended(pid: number): Promise<void>;
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

/** A tail of text capped at `max` characters, counting what was dropped. */
class Tail {
  text = '';
  dropped = 0;
  constructor(readonly max: number) {}
  add(chunk: string): void {
    this.text += chunk;
    if (this.text.length > this.max * 2) this.cut();
  }
  cut(): string {
    if (this.text.length > this.max) {
      // cut at a line start: a secret is never kept half (redaction finds it whole or not at all)
      let at = this.text.length - this.max;
      const nl = this.text.indexOf('\n', at);
      if (nl !== -1 && nl - at < 4096) at = nl + 1;
      this.dropped += at;
      this.text = this.text.slice(at);
    }
    return this.text;
  }
}

// The one place that starts processes. Each command runs in its own process group so that a
// timeout or a cancel stops the whole tree: no orphans left behind.
export async function runCommand(spec: CommandSpec): Promise<CommandResult> {
  const [file, ...args] = spec.argv;
  const started = Date.now();
  const max = spec.maxOutputChars ?? 1024 * 1024;
  const output = new Tail(max);
  const stdout = new Tail(max);
  const stderr = new Tail(max);
  if (file === undefined) {
    return result(spec, { exitCode: null, output: 'empty command', stdout: '', stderr: '', failedToStart: true, droppedChars: 0 }, started);
  }
  // The secrets a command is given are secrets wherever they are printed later, too.
  if (spec.env) registerSecretValues(secretValuesOf(spec.env));
  const { execa } = await import('execa'); // loaded when a command first runs, not at start-up
  const marker = newMarker();
  const child = execa(file, args, {
    cwd: spec.cwd,
    env: { ...spec.env, [MARKER_NAME]: marker },
    extendEnv: spec.inheritEnv !== false,
    input: spec.input ?? '',
    reject: false,
    all: false,
    buffer: false, // kept here, as a capped tail: output past the cap is never a failure
    detached: true,
    cleanup: true,
    stripFinalNewline: false,
    encoding: 'utf8',
  });
  const pid = child.pid;
  // Recorded while the output is already taken: a slow tracker (a database round trip) must not
  // leave a short command's output unread.
  let tracked: Promise<void> | undefined;
  if (pid !== undefined) {
    tracked = tracker?.started(pid);
    watchGroup(pid, spec.stopGroupOnExit ? marker : undefined); // a service a deploy starts must live on
  }
  let timedOut = false;
  let cancelled = false;
  const killTree = (): void => {
    if (pid !== undefined) killProcessGroup(pid);
    // what left the group is stopped too (awaited at the end when the command's group is stopped)
    if (spec.stopGroupOnExit) void stopMarkedProcesses(marker, undefined, KILL_GRACE_MS);
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
  // Output is redacted as it arrives, before anything keeps or shows it: the tails, the lines.
  const streams = { out: createSecretStream(), err: createSecretStream() };
  const lines = { out: lineBuffer(spec.onOutput), err: lineBuffer(spec.onOutput) };
  const take = (which: 'out' | 'err', tail: Tail, text: string): void => {
    if (text === '') return;
    output.add(text);
    tail.add(text);
    lines[which].push(text);
  };
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (c: string) => take('out', stdout, streams.out.push(c)));
  child.stderr?.on('data', (c: string) => take('err', stderr, streams.err.push(c)));
  await tracked;
  // The command is over when it exits: a process it left holding stdout open gets a short grace,
  // then is stopped (or, for a service that must live on, no longer listened to).
  let graceTimer: NodeJS.Timeout | undefined;
  child.once('exit', () => {
    graceTimer = setTimeout(() => {
      if (spec.stopGroupOnExit && pid !== undefined) {
        // a `setsid` child holding the output is outside the group: found by its marker
        void stopMarkedProcesses(marker, pid, 500).then(() => {
          child.stdout?.destroy();
          child.stderr?.destroy();
        });
      } else {
        child.stdout?.destroy();
        child.stderr?.destroy();
      }
    }, OUTPUT_GRACE_MS);
    graceTimer.unref();
  });
  try {
    const done = await child;
    take('out', stdout, streams.out.end());
    take('err', stderr, streams.err.end());
    lines.out.end();
    lines.err.end();
    const failedToStart = done.exitCode === undefined && done.failed && !timedOut && !cancelled;
    let text = output.cut();
    if (failedToStart && text === '') text = done.shortMessage ?? done.message ?? 'failed to start';
    if (output.dropped > 0) text = `[output exceeded ${formatMb(max)}: the first ${formatMb(output.dropped)} not kept, the last ${formatMb(max)} follow]\n${text}`;
    return result(
      spec,
      { exitCode: done.exitCode ?? null, output: text, stdout: stdout.cut(), stderr: stderr.cut(), failedToStart, droppedChars: output.dropped },
      started,
      timedOut,
      cancelled,
    );
  } finally {
    if (timer) clearTimeout(timer);
    if (graceTimer) clearTimeout(graceTimer);
    spec.signal?.removeEventListener('abort', onAbort);
    if (pid !== undefined) {
      // Nothing of the command outlives it: a daemon left in its group, or marked, is stopped.
      if (spec.stopGroupOnExit) await stopMarkedProcesses(marker, pid, KILL_GRACE_MS);
      unwatchGroup(pid);
      await tracker?.ended(pid);
    }
  }
}

const formatMb = (chars: number): string => `${Math.round((chars / (1024 * 1024)) * 10) / 10} MB`;

// Whole lines to `emit`.
function lineBuffer(emit: ((line: string) => void) | undefined): { push(chunk: string): void; end(): void } {
  let partial = '';
  return {
    push(chunk) {
      if (!emit) return;
      const text = partial + chunk;
      const cut = text.lastIndexOf('\n');
      if (cut === -1) {
        // a line longer than a megabyte is given in pieces rather than held without end
        partial = text.length > 1024 * 1024 ? (emit(text), '') : text;
        return;
      }
      partial = text.slice(cut + 1);
      for (const line of text.slice(0, cut).split('\n')) emit(line);
    },
    end() {
      if (emit && partial !== '') emit(partial);
      partial = '';
    },
  };
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
  r: { exitCode: number | null; output: string; stdout: string; stderr: string; failedToStart: boolean; droppedChars: number },
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
