import { z } from 'zod';

// The lines of `run --json`, for the people who read the stream: one object a line, each with
// `event` and `time`. Fields may be added over time; none is taken away within a major version.
const at = { time: z.string().describe('ISO 8601, when the line was written') };
const status = z.enum(['pending', 'in_progress', 'awaiting_approval', 'complete', 'blocked', 'failed', 'skipped']);
const ev = <N extends string, S extends z.ZodRawShape>(name: N, shape: S, about: string) =>
  z.looseObject({ event: z.literal(name), ...at, ...shape }).describe(about);

const RunEvent = z.union([
  ev('run:start', { runId: z.string(), project: z.string(), tasks: z.number().int(), resumed: z.boolean() }, 'the run began (resumed: an earlier run was cut off)'),
  ev('task:start', { taskId: z.string(), agentType: z.string(), maxIterations: z.number().int(), firstIteration: z.number().int() }, 'a task began'),
  ev('iteration:start', { taskId: z.string(), iteration: z.number().int(), maxIterations: z.number().int() }, 'an iteration began'),
  ev('iteration:output', { taskId: z.string(), iteration: z.number().int(), line: z.string() }, "a line of the agent's progress"),
  ev('iteration:end', { taskId: z.string(), iteration: z.number().int(), verdict: z.enum(['PASS', 'FAIL', 'BLOCKED']), promiseMet: z.boolean(), error: z.string().optional(), verify: z.string().optional() }, 'an iteration ended with its verdict (and the verify gate\'s result)'),
  ev(
    'iteration:figures',
    { taskId: z.string(), iteration: z.number().int(), costUsd: z.number().nullable(), tokens: z.number().nullable(), turns: z.number().nullable(), durationMs: z.number(), checkpoint: z.string().optional() },
    'what an iteration spent (null where the agent does not say) and its checkpoint commit',
  ),
  ev('task:end', { taskId: z.string(), status, iterations: z.number().int(), reason: z.string().optional() }, 'a task ended'),
  ev('task:skipped', { taskId: z.string(), reason: z.string() }, 'a task will not run (a dependency failed or was blocked)'),
  ev('task:waiting', { taskId: z.string(), reason: z.string(), approveCommand: z.string() }, 'a gate waits for a person'),
  ev(
    'task:decided',
    { taskId: z.string(), status, was: status, decision: z.string().optional(), by: z.string().optional() },
    'a decision made in another shell or on another machine (approve, reject, override) reached the run',
  ),
  ev('queue:reloaded', { added: z.array(z.string()), changed: z.array(z.string()), reset: z.array(z.string()) }, 'a person edited the queue file during the run'),
  ev('queue:invalid', { message: z.string() }, 'an edit of the queue file is not valid; the run goes on with the last valid queue'),
  ev('run:waiting', { taskIds: z.array(z.string()), message: z.string() }, '--wait: nothing left to run but tasks waiting for a decision from another shell'),
  ev('warning', { message: z.string() }, 'something a person should know'),
  ev(
    'run:summary',
    {
      run_id: z.string(),
      exit_code: z.number().int(),
      counts: z.record(z.string(), z.number().int()),
      waiting: z.array(z.object({ task_id: z.string(), approve_command: z.string() })),
      tasks: z.array(z.object({ id: z.string(), status, reason: z.string().nullable(), last_error: z.string().nullable() })),
    },
    'the last line: what the run did and its exit code',
  ),
  ev('run:end', { runId: z.string(), exitCode: z.number().int(), counts: z.record(z.string(), z.number().int()) }, 'the engine finished'),
  z.looseObject({ event: z.string(), ...at }).describe('an event added after this schema was written'),
]);

export function runEventsJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(RunEvent, { target: 'draft-7' }),
    $id: 'https://autonomous-loop.dev/schema/run-events.schema.json',
    title: 'autonomous-loop run --json: one line of the event stream',
  };
}
