import { InputError } from '../../errors.js';
import type { DeploymentRecordInput } from '../agent.js';
import { requireCommand } from '../project-config.js';
import type { DeployTarget } from './deploy-target.js';
import { readMigrationStatus } from './migration-state.js';
import type { RollbackPlan } from './roll-back.js';

/**
 * What `rollback --to <version>` will do: redeploy `toVersion` and, with migrations down, undo
 * the migrations the deployments after that version's last successful one applied (from the
 * records, newest first), which must be the newest applied ones.
 */
export async function planManualRollback(
  target: DeployTarget,
  toVersion: string,
  migrationsDown: boolean,
  history: readonly DeploymentRecordInput[],
): Promise<RollbackPlan> {
  const fromVersion = history[0]?.version ?? toVersion;
  const plan: RollbackPlan = { fromVersion, toVersion };
  if (!migrationsDown) return plan;
  requireCommand(target.config, target.section, 'migrate_status', 'rollback --migrations-down reads which migrations are applied');
  requireCommand(target.config, target.section, 'migrate_down', 'rollback --migrations-down runs it');
  const index = history.findIndex((r) => r.version === toVersion);
  if (index === -1) {
    throw new InputError(
      `--migrations-down: no successful deployment of ${toVersion} in ${target.environment} on record, so which migrations it ran with is unknown (deployed there: ${[...new Set(history.map((r) => r.version))].join(', ') || 'nothing'}); roll back without --migrations-down, or migrate by hand`,
    );
  }
  const undo = new Set(history.slice(0, index).flatMap((r) => r.migrations_run));
  const status = await readMigrationStatus(target, fromVersion);
  if (!status.ok) throw new InputError(`--migrations-down: cannot read the applied migrations in ${target.environment}: ${status.error ?? 'migrate status failed'}`);
  const keep = status.applied.filter((id) => !undo.has(id));
  const isPrefix = keep.every((id, i) => status.applied[i] === id);
  if (!isPrefix) {
    throw new InputError(
      `--migrations-down: the migrations to undo (${[...undo].join(', ')}) are not the newest applied ones ([${status.applied.join(', ')}]); migrate down by hand`,
    );
  }
  return { ...plan, migrations: { keep, current: status.applied } };
}
