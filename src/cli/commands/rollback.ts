import { randomUUID } from 'node:crypto';
import { confirm } from '@inquirer/prompts';
import { escapeAllControls } from '../../log/terminal-text.js';
import { promptOutput } from '../terminal-guard.js';
import type { Ask } from '../../agents/agent.js';
import { describeVersionProblem } from '../../queue/check-version.js';
import { planManualRollback } from '../../agents/deploy/plan-manual-rollback.js';
import { openTarget } from '../../agents/deploy/prepare-target.js';
import { rollBack } from '../../agents/deploy/roll-back.js';
import { requireCommand } from '../../agents/project-config.js';
import { createRecordSink } from '../../engine/record-sink.js';
import { successfulDeployments } from '../../records/deployment-record.js';
import { ExitCode, InputError, LockError } from '../../errors.js';
import { refuseApprover } from '../../gates/approval-gate.js';
import { loadContract } from '../../gates/contract.js';
import { osUser, recordDecision } from '../../records/decision-record.js';
import { createLogger } from '../../log/create-logger.js';
import { isProcessAlive } from '../../state/is-process-alive.js';
import { environmentStates, type EnvironmentState } from '../../records/environment-state.js';
import { openRecordStore } from '../../records/open-record-store.js';
import type { Store } from '../../state/store.js';
import { normalizeEnvironment } from '../../workspace/environment.js';
import { targetArgs } from '../../workspace/find-workspace.js';
import { assertProjectName, resolveWorkspace } from '../../workspace/paths.js';
import { approverNames } from '../../gates/approvers.js';

export interface RollbackOptions {
  project: string;
  env: string;
  to: string;
  migrationsDown: boolean;
  root: string;
  by?: string;
  json?: boolean;
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
  const log = createLogger(ws.logsDir, project, runId).child({ task_id: null, command: 'rollback' });
  const target = openTarget({ workspace: ws, project, environment, signal: new AbortController().signal, log, progress: say, why: `rollback --env ${environment}` });
  if (!target.section.commands.rollback) requireCommand(target.config, target.section, 'deploy', 'rollback redeploys a version with the rollback command, else with deploy');

  const store = await openRecordStore(ws);
  try {
    const lock = await store.acquireLock(project, runId, isProcessAlive);
    if (!lock.ok) {
      const h = lock.holder;
      throw new LockError(`project '${project}' is being run by another loop (pid ${h.pid} on ${h.host}, since ${h.since}); roll back when it has finished`);
    }
    try {
      const history = await successfulDeployments(store, project, environment);
      const plan = await planManualRollback(target, opts.to, opts.migrationsDown, history);
      const undo = plan.migrations ? (plan.migrations.current ?? []).filter((id) => !plan.migrations?.keep.includes(id)) : [];
      const lines = [
        `Project: ${project}`,
        `Environment: ${environment}`,
        `Now: ${describeNow((await environmentStates(store, project)).find((e) => e.environment === environment))}`,
        `Roll back to: ${opts.to}`,
        `Migrations to undo: ${plan.migrations ? undo.join(', ') || 'none' : 'not asked (--migrations-down)'}`,
      ];
      let by: string | null = null;
      const asks = environment === 'production' || !contract.environments[environment].auto_rollback;
      const request = rollbackRequestId(environment, opts.to);
      const approved = asks ? await standingRollbackApproval(store, project, environment, opts.to) : undefined;
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
              `'autonomous-loop approve ${request} ${targetArgs(ws.root, project)} --by <name>', then run this command again (or run it at a terminal)\n`,
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
        await recordDecision(store, ws, { ...base, decision: 'approve', reason: `rollback to ${opts.to}` });
        by = who;
      } else {
        for (const line of lines) say(line);
      }

      const startedAt = new Date().toISOString();
      const result = await rollBack({ run: (_name, fn) => fn(), latest: async () => undefined }, target, plan, say);
      const taskId = `rollback-${environment}`;
      const approvedBy = by;
      await createRecordSink(store, ws, project, `${taskId}:${runId}`, 1, () => approvedBy, (problem) => tell(`autonomous-loop: warning: ${problem}\n`)).recordDeployment({
        task_id: taskId,
        environment,
        version: opts.to,
        status: result.ok ? 'success' : 'failed',
        started_at: startedAt,
        completed_at: new Date().toISOString(),
        iterations: 1,
        migrations_run: [],
        errors: result.ok ? [] : [result.error ?? 'rollback failed'],
        warnings: [`manual rollback from ${plan.fromVersion}${result.reverted.length ? `; migrations reverted: ${result.reverted.join(', ')}` : ''}`],
        rollback_executed: true,
        approved_by: approvedBy,
        commit: null,
      });
      await store.setEnvironmentHealth(project, environment, result.ok ? null : (result.error ?? 'rollback failed'));
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
async function standingRollbackApproval(store: Store, project: string, environment: string, version: string): Promise<{ id: string; by: string; reason: string | null } | undefined> {
  const rows = (await store.taskDecisions(project, rollbackRequestId(environment, version))).filter((d) => d.fingerprint === rollbackFingerprint(environment, version));
  const last = rows.at(-1);
  if (!last || last.decision !== 'approve') return undefined;
  const record = JSON.parse(last.record) as { id: string; by: string; reason: string | null };
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
  process.stdout.write(`\n${question.title}\n${question.lines.map((l) => `  ${l}`).join('\n')}\n`);
  return (await confirm({ message: escapeAllControls(question.title), default: false }, { output: promptOutput() })) ? 'yes' : 'no';
}

