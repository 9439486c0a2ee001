import type { EngineEmitter } from '../../engine/events.js';
import type { RunSummary } from '../../engine/run-loop.js';
import type { View } from './format-summary.js';

const line = (event: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...event })}\n`);
};

/**
 * `run --json`: one JSON object a line, `{"event": "task:start", "time": ..., ...}`, ending with a
 * `run:summary` line — the stream a dashboard or CI reads (schema/run-events.schema.json).
 */
export function attachJsonView(emitter: EngineEmitter): View {
  emitter.onAny((name, payload) => line({ event: name, ...payload }));
  return {
    idle: async () => {},
    summary: (s: RunSummary) =>
      line({
        event: 'run:summary',
        run_id: s.runId,
        exit_code: s.exitCode,
        counts: s.counts,
        waiting: s.waiting.map((w) => ({ task_id: w.taskId, approve_command: w.approveCommand })),
        tasks: s.tasks.map((t) => ({ id: t.spec.id, status: t.status, reason: t.reason ?? null, last_error: t.lastError ?? null })),
      }),
  };
}
