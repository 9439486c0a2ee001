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
      })
    : undefined;
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const summary = await runLoop({
      root: opts.root,
      project: opts.project,
      concurrency: opts.concurrency,
      ...(opts.maxIterations !== undefined ? { maxIterations: opts.maxIterations } : {}),
      ...(opts.maxCost !== undefined ? { maxCostUsd: opts.maxCost } : {}),
      yes: opts.yes,
      wait: opts.wait ?? false,
      ...(prompter ? { prompter } : {}),
      emitter,
      signal: controller.signal,
    });
    await view.idle();
    view.summary(summary);
    process.exitCode = summary.exitCode;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
