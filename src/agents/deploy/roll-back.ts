import type { StepJournal } from '../agent.js';
import { checkHealth } from './check-health.js';
import { commandEnvironment, type DeployTarget } from './deploy-target.js';
import { migrateDownTo, newlyApplied } from './migration-state.js';
import { describeFailure, runProjectCommand } from './run-project-command.js';
import { ROLLBACK_FAILED } from '../rollback-failure.js';

export interface RollbackPlan {
  /** The version being rolled back from (its migrations are undone with it). */
  fromVersion: string;
  /** The version to bring back; undefined when none succeeded here before. */
  toVersion?: string;
  /** The migrations applied before, and now: those applied since are undone. */
  migrations?: { keep: string[]; current: string[] | undefined };
}

export interface RollbackResult {
  ok: boolean;
  /** Undone migrations, newest first. */
  reverted: string[];
  /** The version running now, when it was brought back and is healthy. */
  restored?: string;
  /** No earlier version: the failed one was stopped, leaving the environment as it was. */
  stopped?: boolean;
  error?: string;
}

/**
 * One rollback, never repeated: migrations down to where they were, the earlier version
 * redeployed (the `rollback` command, else build + deploy), and its health checked. Each part is
 * a journaled step; `say` hears what was done as it is done.
 */
export async function rollBack(steps: StepJournal, target: DeployTarget, plan: RollbackPlan, say: (line: string) => void): Promise<RollbackResult> {
  const prefix = 'rollback';
  const fail = (why: string, reverted: string[] = []): RollbackResult => ({ ok: false, reverted, error: `${ROLLBACK_FAILED}: ${why}` });

  let reverted: string[] = [];
  const migrations = plan.migrations;
  if (migrations && (migrations.current === undefined || newlyApplied(migrations.keep, migrations.current).length > 0)) {
    const { keep, current } = migrations;
    // Safe to redo: migrateDownTo asks what is applied now and takes down only that.
    const down = await steps.run(`${prefix}:migrate-down`, () => migrateDownTo(target, plan.fromVersion, keep, current), { redoSafe: true });
    if (!down.ok) return fail(`migrations down to [${keep.join(', ') || 'none'}]: ${down.error ?? 'failed'}`);
    reverted = current ? newlyApplied(keep, current).reverse() : [];
    say(`migrations back to [${keep.join(', ') || 'none'}]${reverted.length ? `: reverted ${reverted.join(', ')}` : ''}`);
  }

  if (plan.toVersion === undefined) {
    // Nothing ran here before: back to that is the failed version stopped.
    const stopArgv = target.section.commands.stop;
    if (!stopArgv) {
      say(`no earlier successful deployment in ${target.environment} and no stop command: ${plan.fromVersion} keeps running`);
      return { ok: true, reverted };
    }
    const stopped = await steps.run('rollback:stop', () => runProjectCommand(target, 'stop', stopArgv, plan.fromVersion), { redoSafe: true });
    if (!stopped.ok) return fail(`stopping ${plan.fromVersion}: ${describeFailure(stopped)}`, reverted);
    say(`no earlier successful deployment in ${target.environment}: stopped ${plan.fromVersion}`);
    return { ok: true, reverted, stopped: true };
  }
  const toVersion = plan.toVersion;
  const redeploy = await steps.run(
    `${prefix}:redeploy`,
    async () => {
      const extra = { ROLLBACK_FROM: plan.fromVersion };
      const rollbackArgv = target.section.commands.rollback;
      if (rollbackArgv) return runProjectCommand(target, 'rollback', rollbackArgv, toVersion, extra);
      const deployArgv = target.section.commands.deploy;
      if (!deployArgv) return undefined;
      const buildArgv = target.section.commands.build;
      if (buildArgv) {
        const built = await runProjectCommand(target, 'build', buildArgv, toVersion, extra);
        if (!built.ok) return built;
      }
      return runProjectCommand(target, 'deploy', deployArgv, toVersion, extra);
    },
    // Bringing an earlier version back is the same act however often it is done (as `deploy` is):
    // a rollback cut off by a crash is finished by the resumed run, not left half done.
    { redoSafe: true },
  );
  if (!redeploy) return fail(`no rollback or deploy command for ${target.environment} in ${target.config.displayFile}`, reverted);
  if (!redeploy.ok) return fail(`redeploying ${toVersion}: ${describeFailure(redeploy)}`, reverted);
  say(`redeployed ${toVersion}`);

  const check = target.section.healthCheck;
  if (check) {
    const health = await steps.run(
      `${prefix}:health`,
      () =>
        checkHealth(check, {
          variables: commandEnvironment(target, toVersion, { ROLLBACK_FROM: plan.fromVersion }),
          cwd: target.config.path,
          signal: target.signal,
          onAttempt: (n, ok, detail) => target.progress(`health of ${toVersion} (attempt ${n}): ${ok ? 'ok' : detail}`),
        }),
      { redoSafe: true },
    );
    if (!health.ok) return fail(`${toVersion} is not healthy after the rollback: ${health.probe}: ${health.detail}`, reverted);
    say(`${toVersion} healthy: ${health.probe} ${health.detail}`);
  }
  return { ok: true, reverted, restored: toVersion };
}
