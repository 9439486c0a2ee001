import { randomUUID } from 'node:crypto';
import { confirm } from '@inquirer/prompts';
import { escapeAllControls } from '../../log/terminal-text.js';
import { promptOutput } from '../terminal-guard.js';
import type { Ask } from '../../agents/agent.js';
import { describeVersionProblem } from '../../queue/check-version.js';
import { planManualRollback } from '../../agents/deploy/plan-manual-rollback.js';
import { openTarget } from '../../agents/deploy/prepare-target.js';
import { describeUndone, runRollback } from '../../agents/deploy/run-rollback.js';
import { createStepJournal } from '../../engine/step-journal.js';
import { settleCutOffRollbacks } from '../../records/rollback-marker.js';
import { requireCommand } from '../../agents/project-config.js';
import { createRecordSink } from '../../engine/record-sink.js';
import { successfulDeployments } from '../../records/deployment-record.js';
import { ExitCode, InputError, LockError } from '../../errors.js';
import { refuseApprover } from '../../gates/approval-gate.js';
import { loadContract } from '../../gates/contract.js';
import { osUser, recordDecision, type DecisionRecord } from '../../records/decision-record.js';
import { createLogger } from '../../log/create-logger.js';
import { isProcessAlive } from '../../state/is-process-alive.js';
import { runningLoop } from '../../state/running-loop.js';
import { environmentStates, type EnvironmentState } from '../../records/environment-state.js';
import { openRecordStore } from '../../records/open-record-store.js';
import type { Store } from '../../state/store.js';
import { normalizeEnvironment } from '../../workspace/environment.js';
import { targetArgs } from '../../workspace/find-workspace.js';
import { assertProjectName, resolveInside, resolveWorkspace } from '../../workspace/paths.js';
import { howToSign, needsSignature } from '../../gates/signed-approval.js';
import { refuseRecordedSignature, signDecision } from '../../engine/signed-decision.js';
import { approverNames } from '../../gates/approvers.js';

export interface RollbackOptions {
  project: string;
  env: string;
  to: string;
  migrationsDown: boolean;
  root: string;
  by?: string;
  json?: boolean;
  /** The migrations folder in the project: what the down migrations drop is read from it. */
  migrationsPath?: string;
  /** Skip the question before a data-dropping down migration in development/staging (never production). */
  yes?: boolean;
}

/**
 * `rollback --project p --env e --to <version>`: redeploys that version (and undoes the
 * migrations applied since, with --migrations-down), behind the same gates as a deployment:
 * where rollbacks are not automatic (production), a person confirms at a terminal.
 */
export async function rollbackCommand(opts: RollbackOptions, ask: Ask = askAtTerminal): Promise<void> {
  if (!opts.json) return rollBackTo(opts, ask, (line) => void process.stdout.write(`${line}\n`), (text) => void process.stderr.write(text));
  // --json: what was said, and the outcome, as one object on stdout (a terminal is never asked).
  const lines: string[] = [];
  const messages: string[] = [];
  await rollBackTo(opts, async () => 'unavailable', (line) => lines.push(line), (text) => messages.push(text.replace(/^autonomous-loop: /, '').trim()));
  const code = Number(process.exitCode ?? 0);
  const outcome = code === 0 ? 'rolled_back' : code === ExitCode.awaitingApproval ? 'awaiting_approval' : code === ExitCode.aborted ? 'declined' : 'failed';
  process.stdout.write(`${JSON.stringify({ environment: opts.env, to: opts.to, outcome, exit_code: code, lines, messages })}\n`);
}

async function rollBackTo(opts: RollbackOptions, ask: Ask, say: (line: string) => void, tell: (text: string) => void): Promise<void> {
  const project = assertProjectName(opts.project);
  const environment = normalizeEnvironment(opts.env);
  if (!environment) throw new InputError(`--env: '${opts.env}' is not an environment (development, staging, production; dev, stage, prod)`);
  const problem = describeVersionProblem('--to', opts.to);
  if (problem) throw new InputError(problem);
  const ws = resolveWorkspace(opts.root);
  const contract = loadContract(ws);
  if (environment === 'production' && opts.by !== undefined) {
    // --by names who confirms: one not on the approvers is refused before anything runs.
    const refused = refuseApprover(contract, { by: opts.by, osUser: osUser() });
    if (refused) throw new InputError(`${contract.file}: ${refused.replace('may not approve production', 'may not roll back production')}`);
  }
  const runId = `rollback-${new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${randomUUID().slice(0, 8)}`;
  const log = createLogger(ws.logsDir, project, runId, 'info', undefined, { keepRuns: contract.logs.keep_runs, maxBytes: contract.logs.max_bytes }).child({ task_id: null, command: 'rollback' });
  const target = openTarget({ workspace: ws, project, environment, signal: new AbortController().signal, log, progress: say, why: `rollback --env ${environment}` });
  if (!target.section.commands.rollback) requireCommand(target.config, target.section, 'deploy', 'rollback redeploys a version with the rollback command, else with deploy');

  const store = await openRecordStore(ws);
  try {
    const lock = await store.acquireLock(project, runId, isProcessAlive);
    // Runners on a shared database take no lock: a live one is a loop running too.
    const runner = lock.ok ? await runningLoop(store, project, runId) : undefined;
    if (runner) await store.releaseLock(project, runId);
    if (!lock.ok || runner) {
      const h = lock.ok ? runner! : lock.holder;
      throw new LockError(`project '${project}' is being run by another loop (pid ${h.pid} on ${h.host}, since ${h.since}); roll back when it has finished`);
    }
    try {
      // A rollback an earlier process began and did not finish (SIGKILL): on the record as interrupted first.
      for (const env of await settleCutOffRollbacks(store, ws, project, () => false)) say(`a rollback in ${env} was cut off earlier: recorded as interrupted`);
      const history = await successfulDeployments(store, project, environment);
      const plan = await planManualRollback(target, opts.to, opts.migrationsDown, history);
      if (opts.migrationsPath !== undefined) target.migrationsPath = resolveInside(target.config.path, opts.migrationsPath, '--migrations-path');
      const { undone, known } = await describeUndone(target, plan);
      const dropping = undone.filter((u) => u.drops.length > 0);
      const dropsData = plan.migrations !== undefined && undone.length > 0 && (!known || dropping.length > 0);
      const lines = [
        `Project: ${project}`,
        `Environment: ${environment.toUpperCase()}`,
        `Now: ${describeNow((await environmentStates(store, project)).find((e) => e.environment === environment))}`,
        `Target Version: ${opts.to}`,
        `Migration Rollback: ${plan.migrations ? `YES (${undone.length} down)` : 'NO'}`,
        `Migrations to undo: ${plan.migrations ? undone.map((u) => u.id).join(', ') || 'none' : 'not asked (--migrations-down)'}`,
        ...undone.flatMap((u) => u.drops.map((d) => `  ${u.id} DROPS DATA: ${d}`)),
        ...(dropsData && !known ? ['  what the down migrations drop is not known (give --migrations-path to read them)'] : []),
        '',
        `WARNING: This will restore version ${opts.to} in ${environment}${plan.migrations && undone.length > 0 ? ' and undo the migrations applied since' : ''}`,
      ];
      let by: string | null = null;
      // Production always asks; elsewhere the contract's auto_rollback, and a down migration that drops data (unless --yes).
      const asks = environment === 'production' || !contract.environments[environment].auto_rollback || (dropsData && !opts.yes);
      const request = rollbackRequestId(environment, opts.to);
      const verified = needsSignature(contract, environment);
      const standing = asks ? await standingRollbackApproval(store, project, environment, opts.to) : undefined;
      // verified_approvals: an approval from another shell counts only with a signature that verifies now
      const approved = standing && verified && (await refuseRecordedSignature(contract, standing)) ? undefined : standing;
      if (approved) {
        // Approved from another shell (`approve ROLLBACK-…`): used now, once.
        for (const line of lines) say(line);
        say(`approved by ${approved.by}${approved.reason ? ` (${approved.reason})` : ''}`);
        await store.useApproval(project, request, approved.id, 0, runId);
        by = approved.by;
      } else if (asks) {
        const who = opts.by ?? osUser();
        // Rolling production back is a production decision: the approvers hold here as at the prompt.
        const refused = environment === 'production' ? refuseApprover(contract, { by: who, osUser: osUser() })?.replace('may not approve production', 'may not roll back production') : undefined;
        const answer = refused ? 'unavailable' : await ask({ title: `Roll back ${environment} to ${opts.to}?`, lines, environment });
        const base = { run_id: runId, project, task_id: request, by: who, environment, version: opts.to, fingerprint: rollbackFingerprint(environment, opts.to) };
        if (answer === 'unavailable') {
          for (const line of lines) say(line);
          tell(
            `autonomous-loop: rolling back ${environment} to ${opts.to} needs a person's approval${refused ? ` (${refused})` : environment === 'production' && contract.approvers.length > 0 ? ` (approvers: ${approverNames(contract).join(', ')})` : ''}: ` +
              `'autonomous-loop approve ${request} ${targetArgs(ws.root, project)} --by <name>${verified ? ' --sign' : ''}', then run this command again (or run it at a terminal)\n`,
          );
          process.exitCode = ExitCode.awaitingApproval;
          return;
        }
        if (answer === 'no') {
          await recordDecision(store, ws, { ...base, decision: 'reject', reason: `rollback to ${opts.to} declined` });
          say('rollback declined: nothing changed');
          process.exitCode = ExitCode.aborted;
          return;
        }
        // verified_approvals: the yes is signed with the approver's key through ssh-agent (refused, exit 2, when it cannot be)
        const fields = { decision: 'approve', by: who, project, task: request, environment, version: opts.to, fingerprint: base.fingerprint };
        const signature = verified ? await signDecision(contract, store, fields, { sign: {} }, howToSign(request, targetArgs(ws.root, project), who)) : undefined;
        await recordDecision(store, ws, { ...base, decision: 'approve', reason: `rollback to ${opts.to}`, ...(signature ? { signature } : {}) });
        by = who;
      } else {
        for (const line of lines) say(line);
      }

      // The same path as a rollback task: marked under way first, journaled step by step, one `kind: rollback` record.
      const taskId = `rollback-${environment}`;
      const records = createRecordSink(store, ws, project, `${taskId}:${runId}`, 1, () => by, (problem) => tell(`autonomous-loop: warning: ${problem}\n`), runId);
      const steps = createStepJournal(store, project, `${taskId}:${runId}`, 1);
      const result = await runRollback({ steps, target, plan, records, taskId, iteration: 1, approvedBy: by, say });
      if (!result.ok) {
        tell(`autonomous-loop: ${result.error ?? 'rollback failed'}\n`);
        process.exitCode = ExitCode.taskFailed;
        return;
      }
      say(`${environment} runs ${opts.to} again`);
    } finally {
      await store.releaseLock(project, runId);
    }
  } finally {
    await store.close();
  }
}

/** The id a rollback request goes by in `approve` / `reject` (no queue task has it). */
export function rollbackRequestId(environment: string, version: string): string {
  return `ROLLBACK-${environment}-${version}`;
}

export function rollbackFingerprint(environment: string, version: string): string {
  return `rollback:${environment}:${version}`;
}

// The latest approval of this rollback that no rollback has used yet (a rejection after it wins).
async function standingRollbackApproval(store: Store, project: string, environment: string, version: string): Promise<DecisionRecord | undefined> {
  const rows = (await store.taskDecisions(project, rollbackRequestId(environment, version))).filter((d) => d.fingerprint === rollbackFingerprint(environment, version));
  const last = rows.at(-1);
  if (!last || last.decision !== 'approve') return undefined;
  const record = JSON.parse(last.record) as DecisionRecord;
  return (await store.approvalUse(record.id)) ? undefined : record;
}

// What answers there now, from the last attempt: a failed deployment's version may be the one running.
function describeNow(state: EnvironmentState | undefined): string {
  if (!state) return 'no deployment on record';
  return `${state.version ?? 'nothing'} (${state.state}${state.reason ? `: ${state.reason}` : ''})${state.last_good && state.last_good !== state.version ? `; last good: ${state.last_good}` : ''}`;
}

// A y/N question at this terminal; with no terminal nobody can be asked.
async function askAtTerminal(question: Parameters<Ask>[0]): Promise<'yes' | 'no' | 'unavailable'> {
  if (!process.stdin.isTTY) return 'unavailable';
  const { formatBox } = await import('../prompts/format-boxes.js');
  process.stdout.write(`\n${formatBox('ROLLBACK APPROVAL REQUIRED', question.lines)}\n`);
  return (await confirm({ message: escapeAllControls(question.title), default: false }, { output: promptOutput() })) ? 'yes' : 'no';
}
