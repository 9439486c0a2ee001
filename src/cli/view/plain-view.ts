import type { EngineEmitter } from '../../engine/events.js';
import { formatSummary, type View } from './format-summary.js';

const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

/** Plain lines, one an event: for pipes, CI and logs. */
export function attachPlainView(emitter: EngineEmitter): View {
  emitter
    .on('run:start', (e) => out(`autonomous-loop: project ${e.project}, ${e.tasks} task(s)${e.resumed ? ', resuming' : ''} (run ${e.runId})`))
    .on('task:start', (e) => out(`> ${e.taskId} (${e.agentType}) started`))
    .on('iteration:start', (e) => out(`  ${e.taskId} iteration ${e.iteration}/${e.maxIterations}`))
    .on('iteration:output', (e) => out(`    ${e.line}`))
    .on('iteration:end', (e) =>
      out(`  ${e.taskId} iteration ${e.iteration}: ${e.verdict}${e.promiseMet ? ', promise kept' : ''}${e.error ? ` (${e.error})` : ''}`),
    )
    .on('task:end', (e) => {
      if (e.status === 'awaiting_approval') return; // task:waiting said it, with the command
      out(`${symbol(e.status)} ${e.taskId} ${e.status.replace('_', ' ')}${e.reason ? `: ${e.reason}` : ''}`);
    })
    .on('task:skipped', (e) => out(`- ${e.taskId} skipped: ${e.reason}`))
    .on('task:waiting', (e) => out(`? ${e.taskId} awaiting approval: ${e.reason}\n  approve with: ${e.approveCommand}`))
    .on('queue:reloaded', (e) => out(`~ queue file edited: ${e.added.length} added, ${e.changed.length} changed, ${e.reset.length} set back to pending`))
    .on('run:waiting', (e) => out(`… ${e.message}`))
    .on('warning', (e) => out(`! ${e.message}`));
  return {
    idle: async () => {},
    summary: (s) => out(formatSummary(s)),
  };
}

function symbol(status: string): string {
  return status === 'complete' ? 'v' : status === 'awaiting_approval' ? '?' : status === 'pending' || status === 'in_progress' ? '~' : 'x';
}
