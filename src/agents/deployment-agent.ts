import type { Agent, DeploymentRecordInput, IterationContext, IterationResult, PreflightCheck } from './agent.js';
import { loadContract, type Contract } from '../gates/contract.js';
import { checkHealth } from './deploy/check-health.js';
import { commandEnvironment, type DeployTarget } from './deploy/deploy-target.js';
import { readHeadCommit, tagRelease } from './deploy/git-release.js';
import { newlyApplied, readMigrationStatus } from './deploy/migration-state.js';
import { prepareTarget } from './deploy/prepare-target.js';
import { rollBack } from './deploy/roll-back.js';
import { ROLLBACK_FAILED } from './rollback-failure.js';
import { runPreflight } from './deploy/run-preflight.js';
import { describeFailure, runProjectCommand } from './deploy/run-project-command.js';
import { shouldRollBack } from './deploy/should-roll-back.js';

export interface DeploymentAgentOptions {
  /** The contract (auto_rollback, severity overrides); read from the workspace when absent. */
  contract?: Contract;
}

// One iteration is one deployment attempt: pre-flight, build, deploy, migrate, health check; on a
// failure after the deploy started, one rollback (asked first where the contract or production
// says so). Each part is a journaled step, so a resumed iteration does not redo what completed.
export function createDeploymentAgent(options: DeploymentAgentOptions = {}): Agent {
  // Environments whose rollback failed in this process: no further automatic attempt there.
  const degraded = new Map<string, string>();
  return {
    type: 'deployment',
    redoSafe: false,
    rerunOnOverride: true,
    async canRevert() {
      return false; // a BLOCKED deployment stopped at its pre-flight, before it changed anything
    },
    async preflight(ctx) {
      return preflightChecks(ctx, options);
    },
    async runIteration(ctx) {
      return runDeployment(ctx, options, degraded);
    },
    async revert() {
      return 'nothing to undo: the pre-flight stopped the deployment before it changed anything';
    },
  };
}

async function preflightChecks(ctx: IterationContext, options: DeploymentAgentOptions): Promise<PreflightCheck[]> {
  const prepared = prepareTarget(ctx, { version: true, commands: ['deploy'], why: 'the deployment agent runs it' });
  if (!prepared.ok) return [{ check: 'configuration', status: 'failed', detail: prepared.error }];
  const { target } = prepared;
  const contract = options.contract ?? loadContract(ctx.workspace);
  const previous = (await ctx.records.deploymentHistory(target.environment))[0];
  const { probeEnvironment } = await import('./deploy/probe-environment.js');
  const live = previous ? await probeEnvironment(ctx.workspace, ctx.project, target.environment, previous.version) : undefined;
  const now: PreflightCheck = previous
    ? { check: 'running now', status: live?.state === 'healthy' ? 'passed' : 'warning', detail: `${previous.version} (since ${previous.completed_at}); health now: ${live?.state ?? 'UNKNOWN'}${live ? `: ${live.detail}` : ''}` }
    : { check: 'running now', status: 'warning', detail: `no deployment of ${ctx.project} in ${target.environment} on record` };
  const result = await runPreflight(ctx.steps, target, {
    version: prepared.version ?? '',
    runMigrations: ctx.task.runMigrations,
    severityOverrides: contract.severity_overrides[target.environment],
    allowUnread: contract.guardrails.allow_unread,
    ...(previous ? { previousVersion: previous.version } : {}),
    readiness: target.environment === 'production',
    build: true,
  });
  return [now, ...result.checks];
}

async function runDeployment(ctx: IterationContext, options: DeploymentAgentOptions, degraded: Map<string, string>): Promise<IterationResult> {
  const { task } = ctx;
  const lines: string[] = [];
  const say = (line: string): void => {
    lines.push(line);
    ctx.progress(line);
  };
  const result = (r: Omit<IterationResult, 'output'>, extra = ''): IterationResult => ({ ...r, output: [...lines, extra].join('\n').trim() });

  const needed = task.runMigrations ? (['deploy', 'migrate_up', 'migrate_status'] as const) : (['deploy'] as const);
  const prepared = prepareTarget(ctx, { version: true, commands: [...needed], why: 'the deployment agent runs it' });
  if (!prepared.ok) return result({ verdict: 'FAIL', error: prepared.error });
  const { target } = prepared;
  const version = prepared.version ?? '';
  const environment = target.environment;
  const key = `${ctx.workspace.root}\0${ctx.project}\0${environment}`;
  const earlier = degraded.get(key);
  if (earlier) {
    return result({ verdict: 'FAIL', error: `${ROLLBACK_FAILED} earlier in ${environment}: no further automatic attempt (${earlier}). Repair it, then \`autonomous-loop rollback\`.` });
  }
  const contract = options.contract ?? loadContract(ctx.workspace);
  const startedAt = new Date().toISOString();
  const previous = (await ctx.records.deploymentHistory(environment))[0];
  say(`deploying ${ctx.project} ${version} to ${environment}${previous ? ` (now: ${previous.version})` : ''}`);

  const pre = await runPreflight(ctx.steps, target, {
    version,
    runMigrations: task.runMigrations,
    severityOverrides: contract.severity_overrides[environment],
    allowUnread: contract.guardrails.allow_unread,
    ...(previous ? { previousVersion: previous.version } : {}),
    readiness: environment === 'production',
    ...(ctx.overridden ? { overridden: ctx.overridden } : {}),
  });
  for (const c of pre.checks) say(`pre-flight ${c.check}: ${c.status}${c.detail ? ` (${c.detail})` : ''}`);
  for (const w of pre.warnings) say(`  warning: ${w}`);
  if (pre.verdict !== 'PASS') return result({ verdict: pre.verdict, error: pre.error ?? 'pre-flight failed', ...(pre.findings ? { findings: pre.findings } : {}) });

  const warnings = [...pre.warnings];
  const commit = await readHeadCommit(target.config.git.repo);
  let migrationsRun: string[] = [];
  const record = (status: DeploymentRecordInput['status'], errors: string[], rollbackExecuted: boolean): Promise<boolean> =>
    ctx.steps.run(
      `record:${status}`,
      async () => {
        await ctx.records.recordDeployment({
          task_id: task.id,
          environment,
          version,
          status,
          started_at: startedAt,
          completed_at: new Date().toISOString(),
          iterations: ctx.iteration,
          migrations_run: migrationsRun,
          errors,
          warnings,
          rollback_executed: rollbackExecuted,
          approved_by: null,
          commit,
        });
        return true;
      },
      { redoSafe: true },
    );

  const build = target.section.commands.build;
  if (build) {
    const built = await ctx.steps.run('build', () => runProjectCommand(target, 'build', build, version), { redoSafe: true });
    if (!built.ok) {
      const error = `build failed: ${describeFailure(built)}`;
      say(error);
      await record('failed', [error], false);
      return result({ verdict: 'FAIL', error });
    }
    say(`built ${version}`);
  }

  let before: string[] | undefined;
  if (task.runMigrations) {
    const status = await ctx.steps.run('migrate:status-before', () => readMigrationStatus(target, version), { redoSafe: true });
    if (!status.ok) {
      const error = `migrate status failed: ${status.error ?? ''}`;
      say(error);
      await record('failed', [error], false);
      return result({ verdict: 'FAIL', error });
    }
    before = status.applied;
  }

  const failed = async (stage: string, why: string, current: string[] | undefined): Promise<IterationResult> => {
    const error = `${stage} failed: ${why}`;
    say(error);
    const plan = {
      fromVersion: version,
      ...(previous ? { toVersion: previous.version } : {}),
      ...(before ? { migrations: { keep: before, current } } : {}),
    };
    const decision = await ctx.steps.run('rollback:decide', () => shouldRollBack(ctx, target, contract, version, plan, error), { redoSafe: true });
    if (!decision.rollBack) {
      say(decision.why);
      await record('failed', [error, decision.why], false);
      return result({ verdict: 'FAIL', error: `${error}; ${decision.why}` });
    }
    say(`rolling back ${environment}${previous ? ` to ${previous.version}` : ''} (${decision.why})`);
    const rollback = await rollBack(ctx.steps, target, plan, say);
    if (!rollback.ok) {
      const failure = rollback.error ?? ROLLBACK_FAILED;
      say(failure);
      degraded.set(key, failure);
      await record('failed', [failure, error], true);
      return result({ verdict: 'FAIL', error: `${failure} (after: ${error})` });
    }
    if (rollback.restored || rollback.stopped) {
      await record('rolled_back', [error], true);
      return result({ verdict: 'FAIL', error: `${error}; ${rollback.restored ? `rolled back to ${rollback.restored}` : `rolled back: ${version} stopped, no earlier version here`}` });
    }
    const nothing = `no earlier successful deployment in ${environment} to roll back to`;
    await record('failed', [error, nothing], rollback.reverted.length > 0);
    return result({ verdict: 'FAIL', error: `${error}; ${nothing}` });
  };

  const deploy = target.section.commands.deploy ?? [];
  // Cut off in any environment (it may have finished: the kill came before the journal heard), a
  // deploy is never run again by itself: the task goes back to its gate and a person decides.
  const deployed = await ctx.steps.run('deploy', () => runProjectCommand(target, 'deploy', deploy, version), { redoSafe: false });
  if (!deployed.ok) return failed('deploy', describeFailure(deployed), before);
  say(`deployed ${version}`);

  let current = before;
  if (task.runMigrations && before) {
    const up = target.section.commands.migrate_up ?? [];
    const migrated = await ctx.steps.run('migrate:up', () => runProjectCommand(target, 'migrate_up', up, version), { redoSafe: false });
    const after = await ctx.steps.run('migrate:status-after', () => readMigrationStatus(target, version), { redoSafe: true });
    current = after.ok ? after.applied : undefined;
    migrationsRun = current ? newlyApplied(before, current) : [];
    if (!migrated.ok) return failed('migrate', describeFailure(migrated), current);
    if (!after.ok) return failed('migrate status', after.error ?? 'failed', undefined);
    say(migrationsRun.length ? `migrations applied: ${migrationsRun.join(', ')}` : 'migrations: nothing new to apply');
  }

  const check = target.section.healthCheck;
  if (check) {
    const health = await ctx.steps.run('health', () => probeHealth(target, check, version), { redoSafe: true });
    if (!health.ok) return failed('health check', `${health.probe}: ${health.detail} (${health.attempts} attempt(s))`, current);
    say(`healthy: ${health.probe} ${health.detail}`);
  } else {
    warnings.push(`no health_check for ${environment} in ${target.config.displayFile}: the deployment was not verified`);
  }

  if (target.config.git.tagReleases) {
    const message = `${ctx.project} ${version} deployed to ${environment} by autonomous-loop (${task.id})`;
    const tag = await ctx.steps.run('git:tag', () => tagRelease(target.config.git.repo, version, message), { redoSafe: true });
    if (tag.error) warnings.push(`git tag ${tag.tag}: ${tag.error}`);
    else say(tag.created ? `tagged ${tag.tag} at ${tag.commit ?? 'HEAD'}` : `${tag.tag} was tagged already`);
  }
  await record('success', [], false);
  return result({ verdict: 'PASS' }, `<promise>${task.completionPromise}</promise>`);
}

function probeHealth(target: DeployTarget, check: NonNullable<DeployTarget['section']['healthCheck']>, version: string) {
  return checkHealth(check, {
    variables: commandEnvironment(target, version),
    cwd: target.config.path,
    signal: target.signal,
    onAttempt: (n, ok, detail) => target.progress(`health (attempt ${n}): ${ok ? 'ok' : detail}`),
  });
}
