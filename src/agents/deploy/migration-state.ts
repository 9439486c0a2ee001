import { requireCommand } from '../project-config.js';
import type { DeployTarget } from './deploy-target.js';
import { describeFailure, runProjectCommand, type CommandOutcome } from './run-project-command.js';

// The project's `migrate_status` command tells which migrations are applied by printing a JSON
// line `{"applied": ["001_x", "002_y"], ...}` (the last such line counts). Knowing that is what
// lets a rollback take migrations back to exactly where they were.

export interface MigrationStatus {
  ok: boolean;
  applied: string[];
  /** Known migrations not applied, when the command says (`"pending": [...]`). */
  pending?: string[];
  error?: string;
  outcome: CommandOutcome;
}

/** What the last `{"applied": [...]}` line of `stdout` says; undefined when there is none. */
export function parseMigrationStatus(stdout: string): { applied: string[]; pending?: string[] } | undefined {
  const lines = stdout.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('{'));
  for (const line of lines.reverse()) {
    let value: { applied?: unknown; pending?: unknown };
    try {
      value = JSON.parse(line) as typeof value;
    } catch {
      continue; // not JSON: an ordinary line of output
    }
    if (isStringArray(value.applied)) return isStringArray(value.pending) ? { applied: value.applied, pending: value.pending } : { applied: value.applied };
  }
  return undefined;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((id) => typeof id === 'string');
}

export async function readMigrationStatus(target: DeployTarget, version: string): Promise<MigrationStatus> {
  const argv = requireCommand(target.config, target.section, 'migrate_status', 'it tells which migrations are applied');
  const outcome = await runProjectCommand(target, 'migrate_status', argv, version);
  if (!outcome.ok) return { ok: false, applied: [], error: describeFailure(outcome), outcome };
  const status = parseMigrationStatus(outcome.stdout);
  if (!status) {
    return { ok: false, applied: [], error: `migrate_status printed no JSON line {"applied": [...]} (${outcome.argv.join(' ')})`, outcome };
  }
  return { ok: true, ...status, outcome };
}

/** The migrations in `after` that were not in `before`, in order. */
export function newlyApplied(before: readonly string[], after: readonly string[]): string[] {
  const had = new Set(before);
  return after.filter((id) => !had.has(id));
}

export interface MigrateDownResult {
  ok: boolean;
  /** What migrate status said afterwards. */
  applied: string[];
  error?: string;
  outcome?: CommandOutcome;
}

/**
 * Takes the migrations back to `keep` (what was applied before): runs migrate_down with
 * MIGRATE_TARGET (the last id to keep, or 0) and MIGRATE_STEPS, then checks with migrate_status.
 * `current` is what was applied when the failure was seen; what is applied now is asked first, so
 * that doing it again (a resumed rollback) takes down only what is still up: safe to redo.
 */
export async function migrateDownTo(
  target: DeployTarget,
  version: string,
  keep: readonly string[],
  current: readonly string[] | undefined,
): Promise<MigrateDownResult> {
  const live = await readMigrationStatus(target, version);
  if (live.ok) current = live.applied;
  const undo = current ? newlyApplied(keep, current) : undefined;
  if (undo?.length === 0) return { ok: true, applied: [...keep] };
  const argv = target.section.commands.migrate_down;
  if (!argv) {
    return { ok: false, applied: [...(current ?? [])], error: `no migrate_down command for ${target.environment} in ${target.config.displayFile}` };
  }
  const outcome = await runProjectCommand(target, 'migrate_down', argv, version, {
    MIGRATE_TARGET: keep.at(-1) ?? '0',
    ...(undo ? { MIGRATE_STEPS: String(undo.length) } : {}),
  });
  if (!outcome.ok) return { ok: false, applied: [...(current ?? [])], error: describeFailure(outcome), outcome };
  const after = await readMigrationStatus(target, version);
  if (!after.ok) return { ok: false, applied: [...(current ?? [])], error: after.error ?? 'migrate_status failed', outcome };
  const same = after.applied.length === keep.length && keep.every((id, i) => after.applied[i] === id);
  if (!same) {
    return { ok: false, applied: after.applied, error: `after migrate_down the applied migrations are [${after.applied.join(', ')}], expected [${keep.join(', ')}]`, outcome };
  }
  return { ok: true, applied: after.applied, outcome };
}
