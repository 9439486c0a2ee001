import { expand, input } from '@inquirer/prompts';
import type { Ask } from '../../agents/agent.js';
import type { BlockedChoice, BlockedPrompt, DecisionElsewhere, GatePrompt, Prompter } from '../../engine/prompter.js';
import { escapeAllControls } from '../../log/terminal-text.js';
import { promptOutput } from '../terminal-guard.js';
import { formatBlockedBox, formatGateBox } from './format-boxes.js';
import { gateConfirm } from './gate-confirm.js';

export interface TerminalPrompterOptions {
  by: string;
  /** An unanswered prompt becomes awaiting_approval after this many seconds (never an approval). */
  timeoutSeconds?: number | undefined;
  beforePrompt?: () => Promise<void>;
  afterPrompt?: () => void;
  /** Ctrl-C at a prompt: stop the run as a SIGINT would. */
  onInterrupt?: () => void;
  /** The run is stopping: questions still waiting their turn are not shown. */
  stopping?: () => boolean;
  /** Aborted when the run stops (SIGHUP: the terminal closed, SIGTERM): an open question is withdrawn, unanswered. */
  signal?: AbortSignal;
  /** The other tasks' progress, shown beneath an open yes/no question (the live view's lines). */
  meanwhile?: (show: (lines: string[]) => void) => () => void;
}

/** The person at this terminal, asked with @inquirer/prompts. */
export function createTerminalPrompter(options: TerminalPrompterOptions): Prompter {
  // --approval-timeout: the question says until when it waits (then the task stays awaiting approval).
  // The prompt library writes past the terminal guard (it moves the cursor): its text is escaped here.
  const until = (raw: string): string => {
    const message = escapeAllControls(raw);
    if (!options.timeoutSeconds) return message;
    const at = new Date(Date.now() + options.timeoutSeconds * 1000).toTimeString().slice(0, 8);
    return `${message} [answer by ${at}, in ${options.timeoutSeconds}s; then it waits for 'approve']`;
  };
  const timed = async <T>(run: (signal: AbortSignal | undefined) => Promise<T>): Promise<T | 'timeout'> => {
    const timeout = options.timeoutSeconds ? AbortSignal.timeout(options.timeoutSeconds * 1000) : undefined;
    const signals = [timeout, options.signal].filter((s): s is AbortSignal => s !== undefined);
    const signal = signals.length > 0 ? AbortSignal.any(signals) : undefined;
    try {
      return await run(signal);
    } catch (e) {
      if (options.signal?.aborted) {
        // The run is stopping (the terminal closed: SIGHUP): nobody answered, nothing is recorded.
        interrupted = true;
        return 'timeout';
      }
      if (timeout?.aborted) {
        process.stdout.write('\n(no answer in time: left awaiting approval)\n');
        return 'timeout';
      }
      // Ctrl-C at a prompt: no answer; the run stops (state saved) and the task stays awaiting approval.
      if ((e as Error).name === 'ExitPromptError') {
        interrupted = true;
        process.stdout.write('\n(interrupted: no answer recorded; the task stays awaiting approval)\n');
        options.onInterrupt?.();
        return 'timeout';
      }
      throw e;
    } finally {
      options.afterPrompt?.();
    }
  };
  // One question at a time, whatever --concurrency: tasks that reach a gate together wait their
  // turn, and none is shown once the run is stopping.
  let interrupted = false;
  let turn: Promise<unknown> = Promise.resolve();
  const oneAtATime = <T>(nobody: T, fn: () => Promise<T>): Promise<T> => {
    const mine = turn.then(() => (interrupted || options.stopping?.() ? nobody : fn()));
    turn = mine.catch(() => undefined);
    return mine;
  };
  const ask: Ask = (question) => oneAtATime('unavailable' as const, () => askNow(question));
  const askNow: Ask = async (question) => {
    await options.beforePrompt?.();
    process.stdout.write(`\n${[question.title, ...question.lines].join('\n')}\n`);
    const answer = await timed((signal) => gateConfirm({ message: until(question.title), meanwhile: options.meanwhile }, { output: promptOutput(), ...(signal ? { signal } : {}) }));
    return answer === 'timeout' || answer === 'elsewhere' ? 'unavailable' : answer ? 'yes' : 'no';
  };
  return {
    by: options.by,
    ask,
    confirmGate: (prompt: GatePrompt) => oneAtATime<'yes' | 'no' | 'timeout' | 'elsewhere'>('timeout', () => confirmGateNow(prompt)),
    chooseOnBlocked: (prompt: BlockedPrompt) => oneAtATime<BlockedChoice | 'timeout'>('timeout', () => chooseOnBlockedNow(prompt)),
  };
  async function confirmGateNow(prompt: GatePrompt): Promise<'yes' | 'no' | 'timeout' | 'elsewhere'> {
    // Decided from another shell while it waited its turn: not asked at all.
    let settled: DecisionElsewhere | undefined;
    void prompt.decidedElsewhere?.then((d) => (settled = d));
    await Promise.resolve();
    if (settled) return 'elsewhere';
    await options.beforePrompt?.();
    process.stdout.write(`\n${formatGateBox(prompt)}\n`);
    if (prompt.refused) {
      process.stdout.write(`${prompt.refused}: left awaiting approval\n`);
      return 'timeout';
    }
    const message = prompt.details ? `Apply this plan for ${prompt.task.id} in ${(prompt.task.environment ?? '').toUpperCase()}?` : gateQuestion(prompt);
    const elsewhere = prompt.decidedElsewhere?.then((d) => `${d.decision === 'approve' ? 'approved' : 'rejected'} by ${escapeAllControls(d.by)} from another shell${d.reason && d.decision === 'reject' ? `: ${escapeAllControls(d.reason)}` : ''}`);
    const answer = await timed((signal) => gateConfirm({ message: until(message), meanwhile: options.meanwhile, elsewhere }, { output: promptOutput(), ...(signal ? { signal } : {}) }));
    return answer === 'timeout' || answer === 'elsewhere' ? answer : answer ? 'yes' : 'no';
  }
  async function chooseOnBlockedNow(prompt: BlockedPrompt): Promise<BlockedChoice | 'timeout'> {
    await options.beforePrompt?.();
    process.stdout.write(`\n${formatBlockedBox(prompt)}\n`);
    const choices = [
      ...(prompt.canRevert ? [{ key: 'r' as const, name: 'Revert: undo what the task did and mark it blocked', value: 'revert' as const }] : []),
      { key: 'o' as const, name: 'Override: go on as if it passed (a reason is recorded)', value: 'override' as const },
      { key: 'a' as const, name: 'Abort: stop the whole run now (resumable)', value: 'abort' as const },
    ];
    const choice = await timed((signal) => expand({ message: until('(R)evert / (O)verride / (A)bort?'), choices, expanded: true }, { output: promptOutput(), ...(signal ? { signal } : {}) }));
    if (choice === 'timeout') return 'timeout';
    if (choice === 'override') {
      const reason = await timed(() => input({ message: 'Reason for the override (recorded):', validate: (v) => v.trim().length >= 3 || 'give a reason of 3 characters or more' }, { output: promptOutput() }));
      if (reason === 'timeout') return 'timeout';
      return { choice: 'override', reason: reason.trim() };
    }
    return { choice };
  }
}

/** The question under the box, in the words of what will happen. */
export function gateQuestion(prompt: GatePrompt): string {
  const t = prompt.task;
  const where = prompt.production ? 'PRODUCTION' : (t.environment ?? '');
  if (t.agentType === 'migration') return `Run the migrations of ${t.id} in ${where}?`;
  if (t.agentType === 'rollback') return `Roll back ${where} (${t.id})?`;
  return prompt.production ? `Deploy ${t.id} to PRODUCTION?` : `Approve ${t.id}?`;
}
