import { z } from 'zod';
import { checkVersion } from './check-version.js';
import { quoteValue } from '../errors.js';

export const TASK_STATUSES = ['pending', 'in_progress', 'awaiting_approval', 'complete', 'blocked', 'failed', 'skipped'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** Finished one way or another: the loop will not start it again by itself. */
export const FINAL_STATUSES: ReadonlySet<TaskStatus> = new Set(['complete', 'blocked', 'failed', 'skipped']);

// Task ids become parts of messages, log lines and branch/tag-like names: no separators, no shell
// metacharacters, no spaces.
export const TASK_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

const optional = <T extends z.ZodType>(schema: T) => schema.nullish();

const StatusSchema = z
  .string()
  .transform((s, ctx) => {
    const v = s.trim().toLowerCase().replace(/[\s-]+/g, '_');
    const status = v === 'completed' || v === 'done' ? 'complete' : v;
    if ((TASK_STATUSES as readonly string[]).includes(status)) return status as TaskStatus;
    ctx.addIssue({ code: 'custom', message: `expected one of ${TASK_STATUSES.join(', ')} (or 'completed'), got ${quoteValue(s)}` });
    return z.NEVER;
  });

// A version reaches argv, environment variables and a git tag: refused when the file is loaded,
// before anything runs, by the same rule the deployment agent applies.
const VersionSchema = z.string().superRefine((version, ctx) => {
  const why = checkVersion(version);
  if (why) ctx.addIssue({ code: 'custom', message: `${quoteValue(version)} refused: ${why}` });
});

const DURATION = /^\s*\d+(\.\d+)?\s*(s|m|h|d)?\s*$/;

/** `max_runtime` in seconds: a number, or '90s' / '30m' / '2h' / '1d'. */
export function durationSeconds(value: number | string): number {
  if (typeof value === 'number') return value;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([smhd])?\s*$/.exec(value);
  const unit = { s: 1, m: 60, h: 3600, d: 86_400 }[(m?.[2] ?? 's') as 's' | 'm' | 'h' | 'd'];
  return Number(m?.[1] ?? 0) * unit;
}

const neverOr = (min: number, max: number, message: string) => z.union([z.literal('never'), z.number().int(message).min(min, message).max(max, message)], { error: message });

/** A runner label: what `--labels` and `runs_on` name. */
export const RUNNER_LABEL = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

const IdList = z.array(z.string().regex(TASK_ID_PATTERN, 'expected a task id'));

/** A task as people write it: known fields checked, every other field kept as it is. */
export const TaskSchema = z.looseObject({
  id: z.string().regex(TASK_ID_PATTERN, "expected an id of letters, digits, '.', '_', ':' or '-' (at most 128)"),
  description: optional(z.string().max(1_000_000)),
  title: optional(z.unknown()),
  status: optional(StatusSchema),
  agent_type: optional(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'expected an agent type name')),
  environment: optional(z.string()),
  version: optional(VersionSchema),
  run_migrations: optional(z.boolean()),
  migrations_path: optional(z.string().min(1).max(4096)),
  completion_promise: optional(z.string().min(1).max(10_000)),
  max_iterations: optional(z.number().int().min(1).max(10_000)),
  depends_on: optional(IdList),
  dependencies: optional(IdList),
  requires_approval: optional(z.union([z.boolean(), z.string().min(1), z.array(z.string())])),
  command: optional(z.array(z.string().max(100_000)).min(1).max(10_000)),
  // Rollback tasks: the version to bring back (or "previous"), and whether to undo the migrations applied since.
  to: optional(z.union([z.literal('previous'), VersionSchema])),
  migrations_down: optional(z.boolean()),
  // Budgets and the coding loop (issue 15).
  max_cost_usd: optional(z.number().positive('expected a cost in USD above 0').max(1_000_000)),
  max_tokens: optional(z.number().int().min(1).max(1e12)),
  max_runtime: optional(z.union([z.number().positive().max(365 * 24 * 3600), z.string().regex(DURATION, "expected seconds, or a duration like '90s', '30m', '2h'")])),
  timeout_seconds: optional(z.number().positive().max(7 * 24 * 3600)),
  checkpoint: optional(neverOr(1, 10_000, "expected 'never' or every how many iterations (1 or more)")),
  stuck_after: optional(neverOr(2, 1000, "expected 'never' or a number of iterations in a row (2 or more)")),
  // Provisioning (issue 25): the resource in words; business_case and safety_exceptions are read
  // part by part in business-case.ts so a missing part is named by its path.
  resource: optional(z.string().min(1, 'expected the resource in words').max(10_000)),
  business_case: z.unknown().optional(),
  safety_exceptions: z.unknown().optional(),
  // The verify gate (issue 26): argv arrays run after each coding iteration; all must pass for the promise to count.
  verify: optional(z.array(z.array(z.string().max(100_000), 'expected an argv array, e.g. ["npm", "test"]').min(1, 'expected an argv array, e.g. ["npm", "test"]').max(10_000)).max(100)),
  // Where the task may run (issue 23): only a runner started with all these --labels takes it.
  runs_on: optional(z.array(z.string().regex(RUNNER_LABEL, 'expected a runner label (letters, digits, ., _, -)')).min(1, 'expected at least one runner label').max(32)),
});
export type RawTask = z.infer<typeof TaskSchema>;

export const QueueSchema = z.looseObject({
  project: optional(z.string().min(1).max(256)),
  features: optional(z.array(z.unknown())),
  tasks: optional(z.array(z.unknown())),
});

/** The promise a task keeps when it names none, by agent type. */
export function defaultPromise(agentType: string): string {
  switch (agentType) {
    case 'deployment':
      return 'DEPLOYMENT_COMPLETE';
    case 'migration':
      return 'MIGRATIONS_COMPLETE';
    case 'readiness':
      return 'READINESS_COMPLETE';
    case 'provisioning':
      return 'PROVISIONING_COMPLETE';
    case 'rollback':
      return 'ROLLBACK_COMPLETE';
    default:
      return 'TASK_COMPLETE';
  }
}
