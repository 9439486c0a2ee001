import os from 'node:os';
import path from 'node:path';
import { decideTask } from '../../engine/decide-task.js';
import { ExitCode, InputError } from '../../errors.js';
import { recordsBehind } from '../../records/records-behind.js';
import { promptOutput } from '../terminal-guard.js';

export interface DecideOptions {
  project: string;
  root: string;
  by?: string;
  comment?: string;
  reason?: string;
  json?: boolean;
  /** Skip the box and the confirmation at a terminal. */
  yes?: boolean;
  /** Sign the decision with the approver's SSH key (ssh-agent), or with `key`. */
  sign?: boolean;
  key?: string;
}

/**
 * `approve` / `reject` / `override`: a person's decision given from any shell, recorded for what
 * the task would run now; the task's status follows (a later approval supersedes a rejection).
 * Says exactly what will happen, and records nothing where the decision would change nothing.
 */
export async function decideCommand(decision: 'approve' | 'reject' | 'override', taskId: string, opts: DecideOptions): Promise<void> {
  const by = opts.by?.trim();
  if (!by) throw new InputError(`${decision}: --by <name> is required: who decides is recorded\ntry 'autonomous-loop ${decision} ${taskId} --by <name>'`);
  const why = (decision === 'override' ? opts.reason : opts.comment)?.trim();
  if (decision === 'override' && !why) throw new InputError(`override: --reason "<why>" is required (3 characters or more): an override is recorded with its reason`);
  if (decision === 'override' && why && why.length < 3)
    throw new InputError(`override: --reason ${JSON.stringify(why)} is too short: a reason must be 3 characters or more (say why the blocked iteration may count as passed)`);
  if (decision !== 'override' && !opts.json && !opts.yes && process.stdout.isTTY && process.stdin.isTTY) {
    // A person at a terminal sees the box the run shows at the gate, then confirms (scripts: --yes, or no terminal).
    const { describeGate } = await import('../../engine/describe-gate.js');
    const gate = await describeGate(opts.root, opts.project, taskId).catch(() => undefined);
    if (gate) {
      const { formatGateBox } = await import('../prompts/format-boxes.js');
      process.stdout.write(`${formatGateBox(gate)}\n`);
      const { confirm } = await import('@inquirer/prompts');
      const sure = await confirm({ message: `${decision === 'approve' ? 'Approve' : 'Reject'} ${taskId} as shown, as ${by}?`, default: false }, { output: promptOutput() }).catch(() => false);
      if (!sure) {
        process.stdout.write(`nothing recorded: ${taskId} not ${decision === 'approve' ? 'approved' : 'rejected'}\n`);
        process.exitCode = ExitCode.aborted;
        return;
      }
    }
  }
  const key = opts.key?.startsWith('~/') ? path.join(os.homedir(), opts.key.slice(2)) : opts.key;
  const signature = opts.sign || key ? { sign: key ? { keyPath: path.resolve(key) } : {} } : undefined;
  const result = await decideTask(opts.root, opts.project, taskId, decision, by, why, signature ? { signature } : {});
  const behind = recordsBehind();
  if (behind) process.stderr.write(`autonomous-loop: warning: ${behind}\n`);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const verb = { approve: 'approved', reject: 'rejected', override: 'overridden' }[decision];
  const signed = result.signed_with ? `, signed with ${result.signed_with}` : '';
  process.stdout.write(result.recorded ? `${verb} ${taskId} by ${by}${result.fingerprint ? ` (subject ${result.fingerprint}${signed})` : signed ? ` (${signed.slice(2)})` : ''}: ${result.effect}\n` : `${result.effect}\n`);
}
