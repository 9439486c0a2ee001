import { z } from 'zod';
import { RUNNER_LABEL, TASK_STATUSES } from './schema.js';

const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/).describe('unique task id, e.g. DEPLOY-PROD-001');
const ids = z.array(id);
const nullable = <T extends z.ZodType>(s: T) => s.nullable().optional();

const text = z.string().min(1);
const BusinessCase = z
  .object({
    justification: text,
    cost_estimate: z.object({ monthly_usd: z.number().min(0).describe('USD a month'), basis: text.describe('how the estimate was made') }),
    alternatives: z.array(z.object({ option: text, rejected_because: text })).min(1),
    risk: z.object({ security: text, operational: text, data_loss: text }),
  })
  .describe('provisioning: the business case, every part required');

// The queue format for editors ("$schema"): the fields the engine reads, and any others allowed.
const EditorTask = z
  .looseObject({
    id,
    description: nullable(z.string().describe('free text; given to command agents as their prompt')),
    status: nullable(z.enum([...TASK_STATUSES, 'completed']).describe("'completed' is read as 'complete'")),
    agent_type: nullable(z.string().describe('deployment, migration, rollback, command, readiness, noop, or a name the contract maps to a command')),
    environment: nullable(z.enum(['development', 'staging', 'production', 'dev', 'stage', 'prod'])),
    version: nullable(z.string().describe('release to deploy; a git tag v<version> is made/used')),
    run_migrations: nullable(z.boolean()),
    migrations_path: nullable(z.string().describe('path inside the project')),
    to: nullable(z.string().describe('rollback tasks: the version to bring back, or "previous"')),
    migrations_down: nullable(z.boolean().describe('rollback tasks: undo the migrations applied since that version')),
    completion_promise: nullable(z.string().describe('done when the agent emits <promise>TEXT</promise> with exactly this text')),
    max_iterations: nullable(z.number().int().min(1).describe('iteration budget of this task')),
    depends_on: nullable(ids.describe('ids that must be complete first')),
    dependencies: nullable(ids.describe('alias of depends_on')),
    requires_approval: nullable(z.union([z.boolean(), z.string(), z.array(z.string())]).describe('a person approves before it runs; a list gives the reasons')),
    command: nullable(z.array(z.string()).min(1).describe('argv run each iteration by a command agent')),
    max_cost_usd: nullable(z.number().positive().describe('budget: the task stops (failed, budget spent) once its iterations cost this much in USD')),
    max_tokens: nullable(z.number().int().min(1).describe('budget: input + output tokens over all iterations of the task')),
    max_runtime: nullable(z.union([z.number().positive(), z.string().regex(/^\s*\d+(\.\d+)?\s*(s|m|h|d)?\s*$/)]).describe("budget: wall time of the task, seconds or '30m', '2h'")),
    timeout_seconds: nullable(z.number().positive().describe('one iteration is stopped after this long (overrides the contract)')),
    checkpoint: nullable(z.union([z.literal('never'), z.number().int().min(1)]).describe('a git checkpoint commit every N iterations, or never')),
    stuck_after: nullable(z.union([z.literal('never'), z.number().int().min(2)]).describe('end the task as stuck after N iterations in a row with the same failure or output')),
    resource: nullable(z.string().min(1).describe('provisioning: what to provision, in words')),
    business_case: nullable(BusinessCase),
    safety_exceptions: nullable(z.array(z.object({ address: z.string().min(1).describe('a resource address of the plan, e.g. aws_db_instance.main'), reason: z.string().min(1) })).describe('provisioning: plan addresses let through the plan guardrails, each with why')),
    verify: nullable(z.array(z.array(z.string()).min(1)).describe('the verify gate: argv arrays (e.g. [["npm", "test"]]) run after each coding iteration; the promise counts only when all pass')),
    runs_on: nullable(z.array(z.string().regex(RUNNER_LABEL)).min(1).describe('runner labels the task needs: only a runner started with all of them (--labels) takes it')),
  })
  .describe('a task');

const EditorQueue = z.looseObject({
  $schema: z.string().optional(),
  project: nullable(z.string()),
  features: z.array(EditorTask).optional(),
  tasks: z.array(EditorTask).optional().describe('alias of features'),
});

export function queueJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(EditorQueue, { target: 'draft-7' }),
    $id: 'https://autonomous-loop.dev/schema/work-queue.schema.json',
    title: 'autonomous-loop work queue (tasks/work_queue_<project>.json)',
  };
}
