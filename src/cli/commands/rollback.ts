import { randomUUID } from 'node:crypto';
import { confirm } from '@inquirer/prompts';
import type { Ask } from '../../agents/agent.js';
import { describeVersionProblem } from '../../agents/deploy/check-version.js';
import { planManualRollback } from '../../agents/deploy/plan-manual-rollback.js';
import { openTarget } from '../../agents/deploy/prepare-target.js';
import { rollBack } from '../../agents/deploy/roll-back.js';
import { requireCommand } from '../../agents/project-config.js';
import { createRecordSink, successfulDeployments } from '../../engine/record-sink.js';
import { ExitCode, InputError, LockError } from '../../errors.js';
import { loadContract } from '../../gates/contract.js';
import { osUser, recordDecision } from '../../gates/record-decision.js';
import { createLogger } from '../../log/create-logger.js';
import { isProcessAlive } from '../../state/is-process-alive.js';
import { StateStore } from '../../state/state-store.js';
import { normalizeEnvironment } from '../../workspace/environment.js';
import { assertProjectName, resolveWorkspace } from '../../workspace/paths.js';

export interface RollbackOptions {
  project: string;
  env: string;
  to: string;
  migrationsDown: boolean;
  root: string;
  by?: string;
}

/**
 * `rollback --project p --env e --to <version>`: redeploys that version (and undoes the
 * migrations applied since, with --migrations-down), behind the same gates as a deployment:
 * where rollbacks are not automatic (production), a person confirms at a terminal.
 */
export async function rollbackCommand(opts: RollbackOptions, ask: Ask = askAtTerminal): Promise<void> {
  const project = assertProjectName(opts.project);
  const environment = normalizeEnvironment(opts.env);
  if (!environment) throw new InputError(`--env: '${opts.env}' is not an environment (development, staging, production; dev, stage, prod)`);
  const problem = describeVersionProblem('--to', opts.to);
  if (problem) throw new InputError(problem);
  const ws = resolveWorkspace(opts.root);
  const contract = loadContract(ws);
  const runId = `rollback-${new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${randomUUID().slice(0, 8)}`;
  const log = createLogger(ws.logsDir, project, runId).child({ task_id: null, command: 'rollback' });
  const say = (line: string): void => void process.stdout.write(`${line}\n`);
  const target = openTarget({ workspace: ws, project, environment, signal: new AbortController().signal, log, progress: say, why: `rollback --env ${environment}` });
  if (!target.section.commands.rollback) requireCommand(target.config, target.section, 'deploy', 'rollback redeploys a version with the rollback command, else with deploy');

  const store = StateStore.open(ws.stateDb);
  try {
    const lock = store.acquireLock(project, runId, isProcessAlive);
    if (!lock.ok) {
      const h = lock.holder;
      throw new LockError(`project '${project}' is being run by another loop (pid ${h.pid} on ${h.host}, since ${h.since}); roll back when it has finished`);
    }
    try {
      const history = successfulDeployments(store, project, environment);
      const plan = await planManualRollback(target, opts.to, opts.migrationsDown, history);
      const undo = plan.migrations ? (plan.migrations.current ?? []).filter((id) => !plan.migrations?.keep.includes(id)) : [];
      const lines = [
        `Project: ${project}`,
        `Environment: ${environment}`,
        `Now: ${history[0] ? history[0].version : 'no successful deployment on record'}`,
        `Roll back to: ${opts.to}`,
        `Migrations to undo: ${plan.migrations ? undo.join(', ') || 'none' : 'not asked (--migrations-down)'}`,
      ];
      let by: string | null = null;
      const asks = environment === 'production' || !contract.environments[environment].auto_rollback;
      if (asks) {
        const answer = await ask({ title: `Roll back ${environment} to ${opts.to}?`, lines, environment });
        const who = opts.by ?? osUser();
        const base = { run_id: runId, project, task_id: null, by: who, environment, version: opts.to, fingerprint: null };
        if (answer === 'unavailable') {
          process.stderr.write(`autonomous-loop: rolling back ${environment} needs a person to confirm at a terminal; run this command in one\n`);
          process.exitCode = ExitCode.awaitingApproval;
          return;
        }
        if (answer === 'no') {
          recordDecision(store, ws, { ...base, decision: 'reject', reason: `rollback to ${opts.to} declined` });
          say('rollback declined: nothing changed');
          process.exitCode = ExitCode.aborted;
          return;
        }
        recordDecision(store, ws, { ...base, decision: 'approve', reason: `rollback to ${opts.to}` });
        by = who;
      } else {
        for (const line of lines) say(line);
      }

      const startedAt = new Date().toISOString();
      const result = await rollBack({ run: (_name, fn) => fn(), latest: () => undefined }, target, plan, say);
      const taskId = `rollback-${environment}`;
      const approvedBy = by;
      createRecordSink(store, ws, project, `${taskId}:${runId}`, 1, () => approvedBy).recordDeployment({
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
      store.setEnvironmentHealth(project, environment, result.ok ? null : (result.error ?? 'rollback failed'));
      if (!result.ok) {
        process.stderr.write(`autonomous-loop: ${result.error ?? 'rollback failed'}\n`);
        process.exitCode = ExitCode.taskFailed;
        return;
      }
      say(`${environment} runs ${opts.to} again`);
    } finally {
      store.releaseLock(project, runId);
    }
  } finally {
    store.close();
  }
}

// A y/N question at this terminal; with no terminal nobody can be asked.
async function askAtTerminal(question: Parameters<Ask>[0]): Promise<'yes' | 'no' | 'unavailable'> {
  if (!process.stdin.isTTY) return 'unavailable';
  process.stdout.write(`\n${question.title}\n${question.lines.map((l) => `  ${l}`).join('\n')}\n`);
  return (await confirm({ message: question.title, default: false })) ? 'yes' : 'no';
}

