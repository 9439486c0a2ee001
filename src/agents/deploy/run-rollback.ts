import { existsSync } from 'node:fs';
import path from 'node:path';
import { scanPaths, validateMigrations } from '../../guardrails/index.js';
import type { DeploymentRecordInput, RecordSink, StepJournal } from '../agent.js';
import type { DeployTarget } from './deploy-target.js';
import { rollBack, type RollbackPlan, type RollbackResult } from './roll-back.js';
import { scanOptionsFor } from './run-preflight.js';

/** Rules whose statement deletes stored data when it runs. */
const DROPS_DATA = new Set(['drop-database', 'drop-table', 'drop-schema', 'truncate', 'delete-without-where', 'drop-column', 'drop-cascade']);

/** The version `to` names: itself, or for "previous" the newest success here before the version running now. */
export function resolveRollbackTo(to: string, history: readonly DeploymentRecordInput[]): { ok: true; version: string } | { ok: false; error: string } {
  if (to !== 'previous') return { ok: true, version: to };
  const running = history[0]?.version;
  const previous = history.find((r) => r.version !== running)?.version;
  if (!previous) return { ok: false, error: `to: "previous": no version before ${running ?? 'the one running'} succeeded here (on record: ${[...new Set(history.map((r) => r.version))].join(', ') || 'nothing'})` };
  return { ok: true, version: previous };
}

export interface UndoneMigration {
  id: string;
  /** What its down migration deletes: `rule: message (file:line)`; a safety-exception does not make the data come back. */
  drops: string[];
}

/**
 * The migrations a rollback takes down, newest first, with what each down migration drops. Without
 * the migrations folder (the task names none) what they drop is not known: `known` is false.
 */
export async function describeUndone(target: DeployTarget, plan: RollbackPlan): Promise<{ undone: UndoneMigration[]; known: boolean }> {
  const m = plan.migrations;
  const ids = m ? (m.current ?? []).filter((id) => !m.keep.includes(id)).reverse() : [];
  if (ids.length === 0) return { undone: [], known: true };
  const dir = target.migrationsPath;
  if (dir === undefined || !existsSync(dir)) return { undone: ids.map((id) => ({ id, drops: [] })), known: false };
  const options = scanOptionsFor(target, undefined);
  const report = await validateMigrations(dir, options);
  const undone: UndoneMigration[] = [];
  for (const id of ids) {
    const check = report.migrations.find((c) => c.version === id || path.basename(c.file).startsWith(id));
    // The down file read on its own: a DROP of what the up migration created is its exact undo for
    // validation, but the rows stored there since are lost all the same.
    const own = check?.downFile && check.downFile !== check.file ? (await scanPaths([check.downFile], options)).findings : (check?.findings ?? []).filter((f) => f.direction === 'downgrade');
    const drops = own
      .filter((f) => DROPS_DATA.has(f.rule))
      .map((f) => `${f.rule}: ${f.statement ?? f.message} (${path.basename(f.file)}:${f.line})${f.suppressed ? ' [safety-exception]' : ''}`);
    undone.push({ id, drops });
  }
  return { known: true, undone };
}

export interface RollbackJob {
  steps: StepJournal;
  target: DeployTarget;
  plan: RollbackPlan;
  records: RecordSink;
  taskId: string;
  iteration: number;
  approvedBy: string | null;
  say: (line: string) => void;
}

/**
 * One rollback, the same whether a queue task or the `rollback` command asks for it: marked as
 * under way before anything changes (a crash leaves an `interrupted` record), then migrations down,
 * the version redeployed and its health checked, then one `kind: rollback` record.
 */
export async function runRollback(job: RollbackJob): Promise<RollbackResult> {
  const { target, plan } = job;
  const environment = target.environment;
  const to = plan.toVersion ?? plan.fromVersion;
  await job.records.rollbackStarted?.(environment, { from: plan.fromVersion, to, task_id: job.taskId });
  const startedAt = new Date().toISOString();
  const result = await rollBack(job.steps, target, plan, job.say);
  await job.steps.run(
    'record:rollback',
    async () => {
      await job.records.recordDeployment({
        kind: 'rollback',
        task_id: job.taskId,
        environment,
        version: to,
        status: result.ok ? 'success' : 'failed',
        started_at: startedAt,
        completed_at: new Date().toISOString(),
        iterations: job.iteration,
        migrations_run: [],
        errors: result.ok ? [] : [result.error ?? 'rollback failed'],
        warnings: [`rollback from ${plan.fromVersion} to ${to}${result.reverted.length ? `; migrations reverted: ${result.reverted.join(', ')}` : ''}`],
        rollback_executed: true,
        approved_by: job.approvedBy,
        commit: null,
      });
      return true;
    },
    { redoSafe: true },
  );
  await job.records.rollbackEnded?.(environment, result.ok ? null : (result.error ?? 'rollback failed'));
  return result;
}
