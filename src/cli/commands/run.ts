import { runLoop } from '../../engine/run-loop.js';
import { EngineEmitter } from '../../engine/events.js';
import { osUser } from '../../records/decision-record.js';
import { attachView } from '../view/attach-view.js';
import { attachJsonView } from '../view/json-view.js';
import { createTerminalPrompter } from '../prompts/terminal-prompter.js';

export interface RunCommandOptions {
  project: string;
  root: string;
  concurrency: number;
  maxIterations?: number;
  maxCost?: number;
  nonInteractive: boolean;
  yes: boolean;
  approvalTimeout?: number;
  by?: string;
  json?: boolean;
  wait?: boolean;
  labels?: string[];
  /** Seconds a task claim holds without a heartbeat (several runners). */
  lease?: number;
}

/** A terminal on both ends and nobody saying otherwise: then, and only then, prompts are shown. */
export function isInteractive(nonInteractive: boolean): boolean {
  return !nonInteractive && Boolean(process.stdin.isTTY) && Boolean(process.stdout.isTTY) && !process.env.CI;
}

export async function runCommandAction(opts: RunCommandOptions): Promise<void> {
  const interactive = !opts.json && isInteractive(opts.nonInteractive);
  const emitter = new EngineEmitter();
  const view = opts.json ? attachJsonView(emitter) : attachView(emitter, { tty: Boolean(process.stdout.isTTY), concurrency: opts.concurrency });
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) return;
    // The live region goes first: a line written under it would be wiped by its next frame.
    view.stop?.();
    process.stderr.write(`\n${signal}: stopping the running step and saving state...\n`);
    controller.abort();
  };
  const prompter = interactive
    ? createTerminalPrompter({
        by: opts.by ?? osUser(),
        timeoutSeconds: opts.approvalTimeout,
        beforePrompt: () => view.idle(),
        afterPrompt: () => view.resume?.(),
        onInterrupt: () => onSignal('SIGINT'),
        stopping: () => controller.signal.aborted,
        signal: controller.signal,
        meanwhile: (show) => view.watch?.(show) ?? (() => undefined),
      })
    : undefined;
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // The terminal closed: like Ctrl-C, the run stops and a question left open stays a person's to
  // answer. Reads and writes to the gone terminal fail (EIO) from now on: that is no reason to die
  // before the state is saved.
  let hungUp = false;
  const onHangUp = (): void => {
    if (!hungUp) {
      for (const stream of [process.stdin, process.stdout, process.stderr]) stream.on('error', () => undefined);
      // The prompt library writes on to the gone terminal from its own pipes: those failures are
      // the hang-up itself, not a reason to die before the state is saved.
      process.on('uncaughtException', (e: NodeJS.ErrnoException) => {
        if (e.code === 'EIO' || e.code === 'EPIPE') return;
        process.exitCode = 1;
        throw e;
      });
    }
    hungUp = true;
    onSignal('SIGHUP');
  };
  process.on('SIGHUP', onHangUp);
  if (prompter) watchTerminal(onHangUp);
  try {
    const summary = await runLoop({
      root: opts.root,
      project: opts.project,
      concurrency: opts.concurrency,
      ...(opts.maxIterations !== undefined ? { maxIterations: opts.maxIterations } : {}),
      ...(opts.maxCost !== undefined ? { maxCostUsd: opts.maxCost } : {}),
      yes: opts.yes,
      wait: opts.wait ?? false,
      ...(opts.labels ? { labels: opts.labels } : {}),
      ...(opts.lease !== undefined ? { leaseMs: opts.lease * 1000 } : {}),
      ...(prompter ? { prompter } : {}),
      emitter,
      signal: controller.signal,
    });
    await view.idle();
    view.summary(summary);
    process.exitCode = summary.exitCode;
  } catch (e) {
    // Interrupted, aborted, a failure: what is said next goes on a screen with no live region left.
    view.stop?.();
    throw e;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onHangUp);
  }
}

// A terminal that goes away shows first as the end of stdin, and the prompt library then fails to
// restore the terminal mode (setRawMode: EIO) with nobody to catch it: both are taken as a hang-up.
function watchTerminal(onHangUp: () => void): void {
  const stdin = process.stdin;
  if (!stdin.isTTY) return;
  const setRawMode = stdin.setRawMode.bind(stdin);
  stdin.setRawMode = (mode: boolean) => {
    try {
      return setRawMode(mode);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EIO') throw e;
      onHangUp();
      return stdin;
    }
  };
  stdin.once('end', onHangUp);
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EIO' && e.code !== 'EPIPE') throw e;
      onHangUp();
    });
  }
}
