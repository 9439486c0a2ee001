import type { Agent, DeploymentRecordInput, IterationContext, IterationResult, PreflightCheck } from './agent.js';
import { loadContract, type Contract } from '../gates/contract.js';
import { checkHealth } from './deploy/check-health.js';
import { commandVariables, type DeployTarget } from './deploy/deploy-target.js';
import { migrateDownTo, newlyApplied, readMigrationStatus } from './deploy/migration-state.js';
import { describePending, formatPending } from './deploy/pending-migrations.js';
import { prepareTarget } from './deploy/prepare-target.js';
import { ROLLBACK_FAILED } from './rollback-failure.js';
import { checkMigrations, scanOptionsFor } from './deploy/run-preflight.js';
import { describeFailure, runProjectCommand } from './deploy/run-project-command.js';
import { shouldRollBack } from './deploy/should-roll-back.js';

export interface MigrationAgentOptions {
  /** The contract (severity overrides, auto_rollback); read from the workspace when absent. */
  contract?: Contract;
}

// One iteration: validate every migration under migrations_path for the environment, apply them
// (migrate up), verify (migrate status), check the service's health, and on a failure take them
// back down to where they were (asked first where the contract or production says so). Each run
// is on the record as `kind: migration`.
export function createMigrationAgent(options: MigrationAgentOptions = {}): Agent {
  return {
    type: 'migration',
    redoSafe: false,
    // Override of a BLOCKED validation applies the migrations with the overridden findings let through.
    rerunOnOverride: true,
    async canRevert() {
      return false;
    },
    async preflight(ctx) {
      return migrationPreflight(ctx, options);
    },
    async runIteration(ctx) {
      return runMigrations(ctx, options);
    },
    async revert() {
      return 'nothing to undo: validation stopped the migrations before any was applied';
    },
  };
}

/**
 * What the box shows before a person answers: validation and the SQL/S3 scan of the folder, and
 * each migration migrate_status lists as pending with its findings and whether it can be undone.
 * Reads only: migrate_status changes nothing.
 */
async function migrationPreflight(ctx: IterationContext, options: MigrationAgentOptions): Promise<PreflightCheck[]> {
  const prepared = prepareTarget(ctx, { version: false, commands: ['migrate_up', 'migrate_status'], why: 'the migration agent runs it' });
  if (!prepared.ok) return [{ check: 'configuration', status: 'failed', detail: prepared.error }];
  const { target } = prepared;
  if (target.migrationsPath === undefined) return [{ check: 'configuration', status: 'failed', detail: `task ${ctx.task.id}: migrations_path: missing` }];
  const contract = options.contract ?? loadContract(ctx.workspace);
  const checks: PreflightCheck[] = [];
  const running = (await ctx.records.deploymentHistory(target.environment))[0]?.version;
  checks.push({ check: 'running now', status: running ? 'passed' : 'warning', detail: running ? `${running} in ${target.environment}` : `no deployment of ${ctx.project} in ${target.environment} on record` });
  let validation;
  try {
    validation = await checkMigrations(target.migrationsPath, scanOptionsFor(target, contract.severity_overrides[target.environment]));
  } catch (e) {
    return [...checks, { check: 'migration validation', status: 'failed', detail: e instanceof Error ? e.message : String(e) }];
  }
  const blocked = validation.verdict === 'BLOCKED';
  checks.push(blocked ? { ...validation.check, detail: `CRITICAL: the task stops before any migration runs (R/O/A): ${validation.error ?? ''}` } : validation.check);
  const status = await readMigrationStatus(target, prepared.version ?? '');
  if (!status.ok) {
    checks.push({ check: 'pending migrations', status: 'failed', detail: `migrate_status: ${status.error ?? 'failed'}` });
    return checks;
  }
  if (status.pending === undefined) {
    checks.push({ check: 'pending migrations', status: 'warning', detail: `migrate_status lists no "pending": every migration of the folder may run (${validation.count})`, items: formatPending(describePending(validation.migrations.map((m) => m.version ?? m.file), validation.migrations)) });
    return checks;
  }
  const pending = describePending(status.pending, validation.migrations);
  const worst = pending.some((m) => m.worst === 'CRITICAL' || m.worst === 'HIGH' || m.reversible === false);
  checks.push({
    check: 'pending migrations',
    status: pending.length === 0 ? 'passed' : worst ? 'warning' : 'passed',
    detail: pending.length === 0 ? `none: all ${status.applied.length} applied already` : `${pending.length} will run (applied now: ${status.applied.length})`,
    items: formatPending(pending),
  });
  return checks;
}

async function runMigrations(ctx: IterationContext, options: MigrationAgentOptions): Promise<IterationResult> {
  const lines: string[] = [];
  const say = (line: string): void => {
    lines.push(line);
    ctx.progress(line);
  };
  const result = (r: Omit<IterationResult, 'output'>, extra = ''): IterationResult => ({ ...r, output: [...lines, extra].join('\n').trim() });

  const prepared = prepareTarget(ctx, { version: false, commands: ['migrate_up', 'migrate_status'], why: 'the migration agent runs it' });
  if (!prepared.ok) return result({ verdict: 'FAIL', error: prepared.error });
  const { target } = prepared;
  const version = prepared.version ?? '';
  if (target.migrationsPath === undefined) {
    return result({ verdict: 'FAIL', error: `task ${ctx.task.id}: migrations_path: missing (the migrations to validate and apply)` });
  }
  const contract = options.contract ?? loadContract(ctx.workspace);
  const validation = await checkMigrations(target.migrationsPath, scanOptionsFor(target, contract.severity_overrides[target.environment], contract.guardrails.allow_unread));
  say(`validation: ${validation.check.status}${validation.check.detail ? ` (${validation.check.detail})` : ''}`);
  for (const w of validation.warnings) say(`warning: ${w}`);
  const overridden = validation.verdict === 'BLOCKED' && (validation.findings ?? []).length > 0 && (validation.findings ?? []).every((f) => ctx.overridden?.has(f.rule));
  if (overridden) say(`overridden by a person: ${(validation.findings ?? []).map((f) => f.rule).join(', ')}`);
  if (validation.verdict !== 'PASS' && !overridden) {
    return result({ verdict: validation.verdict, error: validation.error ?? 'migration validation failed', ...(validation.findings ? { findings: validation.findings } : {}) });
  }

  const startedAt = new Date().toISOString();
  const running = (await ctx.records.deploymentHistory(target.environment))[0]?.version;
  const warnings = [...validation.warnings];
  let applied: string[] = [];
  // One record a migration run (not a deployment: no version changes), written once even after a crash.
  const record = (status: DeploymentRecordInput['status'], errors: string[], rolledBack: boolean): Promise<boolean> =>
    ctx.steps.run(
      `record:${status}`,
      async () => {
        await ctx.records.recordDeployment({
          kind: 'migration',
          task_id: ctx.task.id,
          environment: target.environment,
          version: ctx.task.version ?? running ?? 'none',
          status,
          started_at: startedAt,
          completed_at: new Date().toISOString(),
          iterations: ctx.iteration,
          migrations_run: applied,
          errors,
          warnings,
          rollback_executed: rolledBack,
          approved_by: null,
          commit: null,
        });
        return true;
      },
      { redoSafe: true },
    );

  const before = await ctx.steps.run('migrate:status-before', () => readMigrationStatus(target, version), { redoSafe: true });
  if (!before.ok) {
    const error = `migrate status failed: ${before.error ?? ''}`;
    await record('failed', [error], false);
    return result({ verdict: 'FAIL', error });
  }
  const up = target.section.commands.migrate_up ?? [];
  const migrated = await ctx.steps.run('migrate:up', () => runProjectCommand(target, 'migrate_up', up, version), { redoSafe: false });
  const after = await ctx.steps.run('migrate:status-after', () => readMigrationStatus(target, version), { redoSafe: true });
  applied = after.ok ? newlyApplied(before.applied, after.applied) : [];
  let problem: string | undefined;
  if (!migrated.ok) problem = `migrate up failed: ${describeFailure(migrated)}`;
  else if (!after.ok) problem = `migrate status failed after migrate up: ${after.error ?? ''}`;
  else if (after.pending?.length) problem = `migrate status still lists pending migrations: ${after.pending.join(', ')}`;
  if (!problem) {
    say(applied.length ? `applied: ${applied.join(', ')}` : 'nothing new to apply');
    say(`verified: applied [${after.applied.join(', ')}]`);
    const health = await checkAfterMigrating(ctx, target, running, say);
    if (health.warning) warnings.push(health.warning);
    if (health.problem) problem = health.problem;
  }
  if (!problem) {
    await record('success', [], false);
    return result({ verdict: 'PASS' }, `<promise>${ctx.task.completionPromise}</promise>`);
  }

  say(problem);
  const current = after.ok ? after.applied : undefined;
  const plan = { fromVersion: version, migrations: { keep: before.applied, current } };
  const decision = await ctx.steps.run('rollback:decide', () => shouldRollBack(ctx, target, contract, version, plan, problem), { redoSafe: true });
  if (!decision.rollBack) {
    say(decision.why);
    await record('failed', [problem, decision.why], false);
    return result({ verdict: 'FAIL', error: `${problem}; ${decision.why}` });
  }
  const down = await ctx.steps.run('rollback:migrate-down', () => migrateDownTo(target, version, before.applied, current), { redoSafe: true });
  if (!down.ok) {
    const failure = `${ROLLBACK_FAILED}: migrations down to [${before.applied.join(', ') || 'none'}]: ${down.error ?? 'failed'}`;
    say(failure);
    await record('failed', [failure, problem], true);
    return result({ verdict: 'FAIL', error: `${failure} (after: ${problem})` });
  }
  say(`rolled back: migrations back to [${down.applied.join(', ') || 'none'}]`);
  await record('rolled_back', [problem], true);
  return result({ verdict: 'FAIL', error: `${problem}; migrations rolled back` });
}

/** The environment's health check after migrating, against the version running there. */
async function checkAfterMigrating(
  ctx: IterationContext,
  target: DeployTarget,
  running: string | undefined,
  say: (line: string) => void,
): Promise<{ problem?: string; warning?: string }> {
  const check = target.section.healthCheck;
  if (!check) return { warning: `no health_check for ${target.environment} in ${target.config.displayFile}: the service was not checked after migrating` };
  if (running === undefined) {
    return { warning: `no deployment of ${ctx.project} in ${target.environment} on record: the service was not checked after migrating` };
  }
  const health = await ctx.steps.run(
    'health',
    () =>
      checkHealth(check, {
        variables: commandVariables(target, running),
        cwd: target.config.path,
        signal: target.signal,
        onAttempt: (n, ok, detail) => target.progress(`health of ${running} (attempt ${n}): ${ok ? 'ok' : detail}`),
      }),
    { redoSafe: true },
  );
  if (!health.ok) return { problem: `health check after migrating failed: ${health.probe}: ${health.detail} (${health.attempts} attempt(s))` };
  say(`healthy: ${health.probe} ${health.detail}`);
  return {};
}
