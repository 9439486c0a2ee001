import { confirm, expand, input } from '@inquirer/prompts';
import type { Ask } from '../../agents/agent.js';
import type { BlockedChoice, BlockedPrompt, GatePrompt, Prompter } from '../../engine/prompter.js';
import { formatBlockedBox, formatGateBox } from './format-boxes.js';

export interface TerminalPrompterOptions {
  by: string;
  /** An unanswered prompt becomes awaiting_approval after this many seconds (never an approval). */
  timeoutSeconds?: number | undefined;
  beforePrompt?: () => Promise<void>;
  afterPrompt?: () => void;
  /** Ctrl-C at a prompt: stop the run as a SIGINT would. */
  onInterrupt?: () => void;
}

/** The person at this terminal, asked with @inquirer/prompts. */
export function createTerminalPrompter(options: TerminalPrompterOptions): Prompter {
  const timed = async <T>(run: (signal: AbortSignal | undefined) => Promise<T>): Promise<T | 'timeout'> => {
    const signal = options.timeoutSeconds ? AbortSignal.timeout(options.timeoutSeconds * 1000) : undefined;
    try {
      return await run(signal);
    } catch (e) {
      if (signal?.aborted) {
        process.stdout.write('\n(no answer in time: left awaiting approval)\n');
        return 'timeout';
      }
      // Ctrl-C at a prompt: no answer; the run stops (state saved) and the task stays awaiting approval.
      if ((e as Error).name === 'ExitPromptError') {
        process.stdout.write('\n(interrupted: no answer recorded; the task stays awaiting approval)\n');
        options.onInterrupt?.();
        return 'timeout';
      }
      throw e;
    } finally {
      options.afterPrompt?.();
    }
  };
  const ask: Ask = async (question) => {
    await options.beforePrompt?.();
    process.stdout.write(`\n${[question.title, ...question.lines].join('\n')}\n`);
    const answer = await timed((signal) => confirm({ message: question.title, default: false }, signal ? { signal } : {}));
    return answer === 'timeout' ? 'unavailable' : answer ? 'yes' : 'no';
  };
  return {
    by: options.by,
    ask,
    async confirmGate(prompt: GatePrompt) {
      await options.beforePrompt?.();
      process.stdout.write(`\n${formatGateBox(prompt)}\n`);
      const message = prompt.production ? `Deploy ${prompt.task.id} to PRODUCTION?` : `Approve ${prompt.task.id}?`;
      const answer = await timed((signal) => confirm({ message, default: false }, signal ? { signal } : {}));
      return answer === 'timeout' ? 'timeout' : answer ? 'yes' : 'no';
    },
    async chooseOnBlocked(prompt: BlockedPrompt): Promise<BlockedChoice | 'timeout'> {
      await options.beforePrompt?.();
      process.stdout.write(`\n${formatBlockedBox(prompt)}\n`);
      const choices = [
        ...(prompt.canRevert ? [{ key: 'r' as const, name: 'Revert: undo what the task did and mark it blocked', value: 'revert' as const }] : []),
        { key: 'o' as const, name: 'Override: go on as if it passed (a reason is recorded)', value: 'override' as const },
        { key: 'a' as const, name: 'Abort: stop the whole run now (resumable)', value: 'abort' as const },
      ];
      const choice = await timed((signal) => expand({ message: '(R)evert / (O)verride / (A)bort?', choices, expanded: true }, signal ? { signal } : {}));
      if (choice === 'timeout') return 'timeout';
      if (choice === 'override') {
        const reason = await timed(() => input({ message: 'Reason for the override (recorded):', validate: (v) => v.trim().length >= 3 || 'give a reason' }));
        if (reason === 'timeout') return 'timeout';
        return { choice: 'override', reason: reason.trim() };
      }
      return { choice };
    },
  };
}
