import { runCommand } from '../agents/run-command.js';
import { redactSecrets } from '../log/redact-secrets.js';
import type { TaskSpec } from '../queue/task-spec.js';
import type { EngineContext } from './engine-context.js';

/**
 * The contract's `notify` command, run when a person is needed (a gate opened, a task blocked
 * with nobody at a terminal): argv without a shell; what happened is in its environment, so a
 * team wires `curl` to a chat webhook. A failing notifier is a warning, never a failed task.
 */
export async function notifyPeople(ctx: EngineContext, event: 'gate' | 'blocked', task: TaskSpec, rawReason: string, command: string): Promise<void> {
  const argv = ctx.contract.notify;
  if (!argv) return;
  // The payload leaves the machine (a chat webhook): the reason is redacted like every record.
  const reason = redactSecrets(rawReason);
  // The console's page of this task's gate (or of the task, when it is blocked), when the contract says where the console is.
  const base = ctx.contract.console_url;
  const page = `/projects/${encodeURIComponent(ctx.project)}/tasks/${encodeURIComponent(task.id)}${event === 'gate' ? '/gate' : ''}`;
  const url = base ? `${base}${page}` : null;
  const run = await runCommand({
    argv,
    cwd: ctx.ws.root,
    timeoutMs: 30_000,
    env: {
      AUTONOMOUS_LOOP_EVENT: event,
      AUTONOMOUS_LOOP_PROJECT: ctx.project,
      AUTONOMOUS_LOOP_RUN_ID: ctx.runId,
      AUTONOMOUS_LOOP_TASK_ID: task.id,
      AUTONOMOUS_LOOP_ENVIRONMENT: task.environment ?? '',
      AUTONOMOUS_LOOP_VERSION: task.version ?? '',
      AUTONOMOUS_LOOP_REASON: reason,
      AUTONOMOUS_LOOP_DECIDE_COMMAND: command,
      AUTONOMOUS_LOOP_URL: url ?? '',
    },
    input: `${JSON.stringify({ event, project: ctx.project, task_id: task.id, environment: task.environment ?? null, version: task.version ?? null, reason, command, url })}\n`,
  });
  if (!run.ok) {
    const message = `notify (${argv[0] ?? ''}) ${run.failedToStart ? 'could not start' : run.timedOut ? 'timed out' : `exited with code ${run.exitCode}`}: ${run.output.trim().split('\n').pop()?.slice(0, 200) ?? ''}`;
    ctx.log.warn({ task_id: task.id }, message);
    ctx.emitter.emit('warning', { message });
  }
}
