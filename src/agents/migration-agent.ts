import type { Agent, IterationContext, IterationResult } from './agent.js';
import { loadContract, type Contract } from '../gates/contract.js';
import { migrateDownTo, newlyApplied, readMigrationStatus } from './deploy/migration-state.js';
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
// (migrate up), verify (migrate status), and on a failure take them back down to where they were.
export function createMigrationAgent(options: MigrationAgentOptions = {}): Agent {
  return {
    type: 'migration',
    redoSafe: false,
    async runIteration(ctx) {
      return runMigrations(ctx, options);
    },
    async revert() {
      return 'nothing to undo: validation stopped the migrations before any was applied';
    },
  };
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
  if (validation.verdict !== 'PASS') {
    return result({ verdict: validation.verdict, error: validation.error ?? 'migration validation failed', ...(validation.findings ? { findings: validation.findings } : {}) });
  }

  const before = await ctx.steps.run('migrate:status-before', () => readMigrationStatus(target, version), { redoSafe: true });
  if (!before.ok) return result({ verdict: 'FAIL', error: `migrate status failed: ${before.error ?? ''}` });
  const up = target.section.commands.migrate_up ?? [];
  const migrated = await ctx.steps.run('migrate:up', () => runProjectCommand(target, 'migrate_up', up, version), { redoSafe: false });
  const after = await ctx.steps.run('migrate:status-after', () => readMigrationStatus(target, version), { redoSafe: true });
  const applied = after.ok ? newlyApplied(before.applied, after.applied) : [];
  let problem: string | undefined;
  if (!migrated.ok) problem = `migrate up failed: ${describeFailure(migrated)}`;
  else if (!after.ok) problem = `migrate status failed after migrate up: ${after.error ?? ''}`;
  else if (after.pending?.length) problem = `migrate status still lists pending migrations: ${after.pending.join(', ')}`;
  if (!problem) {
    say(applied.length ? `applied: ${applied.join(', ')}` : 'nothing new to apply');
    say(`verified: applied [${after.applied.join(', ')}]`);
    return result({ verdict: 'PASS' }, `<promise>${ctx.task.completionPromise}</promise>`);
  }

  say(problem);
  const current = after.ok ? after.applied : undefined;
  const plan = { fromVersion: version, migrations: { keep: before.applied, current } };
  const decision = await ctx.steps.run('rollback:decide', () => shouldRollBack(ctx, target, contract, version, plan, problem), { redoSafe: true });
  if (!decision.rollBack) {
    say(decision.why);
    return result({ verdict: 'FAIL', error: `${problem}; ${decision.why}` });
  }
  const down = await ctx.steps.run('rollback:migrate-down', () => migrateDownTo(target, version, before.applied, current), { redoSafe: true });
  if (!down.ok) {
    const failure = `${ROLLBACK_FAILED}: migrations down to [${before.applied.join(', ') || 'none'}]: ${down.error ?? 'failed'}`;
    say(failure);
    return result({ verdict: 'FAIL', error: `${failure} (after: ${problem})` });
  }
  say(`migrations back to [${down.applied.join(', ') || 'none'}]`);
  return result({ verdict: 'FAIL', error: `${problem}; migrations rolled back` });
}
