import type { Agent, IterationContext, IterationResult, PreflightCheck } from './agent.js';
import { planManualRollback } from './deploy/plan-manual-rollback.js';
import { prepareTarget } from './deploy/prepare-target.js';
import type { DeployTarget } from './deploy/deploy-target.js';
import type { RollbackPlan } from './deploy/roll-back.js';
import { describeUndone, resolveRollbackTo, runRollback, type UndoneMigration } from './deploy/run-rollback.js';
import { requireCommand } from './project-config.js';

// `agent_type: rollback`: bring `to` (a version, or "previous") back into the environment, and with
// `migrations_down` undo the migrations applied since. The gate asks in production always (the
// contract), and in development/staging before a down migration that drops data.
export function createRollbackAgent(): Agent {
  return {
    type: 'rollback',
    // Every part of a rollback is safe to do again (migrate down asks what is applied first).
    redoSafe: true,
    async preflight(ctx) {
      return rollbackPreflight(ctx);
    },
    async gateReasons(ctx) {
      if (ctx.task.environment === 'production') return [];
      const planned = await planRollback(ctx);
      if (!planned.ok) return [];
      const { undone, known } = await describeUndone(planned.target, planned.plan);
      if (!known && undone.length > 0) return [`${ctx.task.environment}: the rollback undoes ${undone.map((u) => u.id).join(', ')} and what their down migrations drop is not known (the task names no migrations_path)`];
      const dropping = undone.filter((u) => u.drops.length > 0);
      return dropping.length > 0 ? [`${ctx.task.environment}: the rollback's down migrations drop data: ${dropping.map((u) => `${u.id} (${u.drops.map((d) => d.split(':')[0]).join(', ')})`).join('; ')}`] : [];
    },
    async runIteration(ctx) {
      return rollBackTask(ctx);
    },
  };
}

type Planned = { ok: true; target: DeployTarget; plan: RollbackPlan; running: string | undefined } | { ok: false; error: string };

async function planRollback(ctx: IterationContext): Promise<Planned> {
  const prepared = prepareTarget(ctx, { version: false, commands: [], why: 'the rollback agent runs it' });
  if (!prepared.ok) return prepared;
  const { target } = prepared;
  try {
    if (!target.section.commands.rollback) requireCommand(target.config, target.section, 'deploy', 'a rollback redeploys a version with the rollback command, else with deploy');
    const history = await ctx.records.deploymentHistory(target.environment);
    const to = resolveRollbackTo(ctx.task.rollbackTo ?? 'previous', history);
    if (!to.ok) return { ok: false, error: `task ${ctx.task.id}: ${to.error}` };
    const plan = await planManualRollback(target, to.version, ctx.task.migrationsDown === true, history);
    return { ok: true, target, plan, running: history[0]?.version };
  } catch (e) {
    return { ok: false, error: `task ${ctx.task.id}: ${e instanceof Error ? e.message : String(e)}` };
  }
}

async function rollbackPreflight(ctx: IterationContext): Promise<PreflightCheck[]> {
  const planned = await planRollback(ctx);
  if (!planned.ok) return [{ check: 'rollback plan', status: 'failed', detail: planned.error }];
  const { plan, running } = planned;
  const checks: PreflightCheck[] = [
    { check: 'running now', status: running ? 'passed' : 'warning', detail: running ?? `no deployment in ${planned.target.environment} on record` },
    { check: 'target', status: 'passed', detail: `${plan.toVersion ?? plan.fromVersion} (from ${plan.fromVersion})` },
  ];
  if (!ctx.task.migrationsDown) {
    checks.push({ check: 'migrations to undo', status: 'not run', detail: 'none: migrations_down is not set (the schema stays as it is)' });
    return checks;
  }
  const { undone, known } = await describeUndone(planned.target, plan);
  checks.push({
    check: 'migrations to undo',
    status: undone.length === 0 ? 'passed' : !known || undone.some((u) => u.drops.length > 0) ? 'warning' : 'passed',
    detail: undone.length === 0 ? 'none' : `${undone.length}, newest first${known ? '' : ' (what they drop is not known: no migrations_path)'}`,
    items: formatUndone(undone),
  });
  return checks;
}

function formatUndone(undone: readonly UndoneMigration[]): string[] {
  return undone.flatMap((u) => [`${u.id}${u.drops.length ? '  DROPS DATA' : ''}`, ...u.drops.map((d) => `    ${d}`)]);
}

async function rollBackTask(ctx: IterationContext): Promise<IterationResult> {
  const lines: string[] = [];
  const say = (line: string): void => {
    lines.push(line);
    ctx.progress(line);
  };
  const planned = await planRollback(ctx);
  if (!planned.ok) return { verdict: 'FAIL', fatal: true, error: planned.error, output: '' };
  const { target, plan } = planned;
  say(`rolling back ${target.environment} from ${plan.fromVersion} to ${plan.toVersion ?? plan.fromVersion}${plan.migrations ? ' with migrations down' : ''}`);
  const result = await runRollback({ steps: ctx.steps, target, plan, records: ctx.records, taskId: ctx.task.id, iteration: ctx.iteration, approvedBy: null, say });
  if (!result.ok) return { verdict: 'FAIL', error: result.error ?? 'rollback failed', output: lines.join('\n') };
  say(`${target.environment} runs ${plan.toVersion ?? plan.fromVersion} again`);
  return { verdict: 'PASS', output: `${lines.join('\n')}\n<promise>${ctx.task.completionPromise}</promise>` };
}
