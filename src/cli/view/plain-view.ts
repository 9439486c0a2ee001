import type { EngineEmitter } from '../../engine/events.js';
import { formatSummary, type View } from './format-summary.js';
import { formatFigures } from '../commands/format-figures.js';

const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

/** Plain lines, one an event: for pipes, CI and logs. */
export function attachPlainView(emitter: EngineEmitter): View {
  emitter
    .on('run:start', (e) => out(`autonomous-loop: project ${e.project}, ${e.tasks} task(s)${e.resumed ? ', resuming' : ''} (run ${e.runId})`))
    .on('task:start', (e) => out(`> ${e.taskId} (${e.agentType}) started`))
    .on('iteration:start', (e) => out(`  ${e.taskId} iteration ${e.iteration}/${e.maxIterations}`))
    // Labelled with the task: tasks side by side (--concurrency) print between each other's lines.
    .on('iteration:output', (e) => out(`    ${e.taskId} › ${e.line}`))
    .on('iteration:end', (e) => {
      const why = e.verify ?? (e.error ? e.error.split('\n')[0] : undefined);
      out(`  ${e.taskId} iteration ${e.iteration}: ${e.verdict}${e.promiseMet ? ', promise kept' : ''}${why ? ` (${why})` : ''}`);
    })
    .on('iteration:figures', (e) => {
      const figures = formatFigures({ cost_usd: e.costUsd, tokens: e.tokens, turns: e.turns, duration_ms: null });
      if (figures || e.checkpoint) out(`    ${[figures, e.checkpoint ? `checkpoint ${e.checkpoint.slice(0, 12)}` : ''].filter(Boolean).join(' · ')}`);
    })
    .on('task:end', (e) => {
      if (e.status === 'awaiting_approval') return; // task:waiting said it, with the command
      out(`${symbol(e.status)} ${e.taskId} ${e.status.replace('_', ' ')}${e.reason ? `: ${e.reason}` : ''}`);
    })
    .on('task:skipped', (e) => out(`- ${e.taskId} skipped: ${e.reason}`))
    .on('task:waiting', (e) => out(`? ${e.taskId} awaiting approval: ${e.reason}\n  approve with: ${e.approveCommand}`))
    .on('queue:reloaded', (e) => out(`~ queue file edited: ${e.added.length} added, ${e.changed.length} changed, ${e.reset.length} set back to pending`))
    .on('task:decided', (e) => out(`~ ${e.taskId}: ${e.decision ? `${e.decision} by ${e.by ?? 'a person'}` : 'decided'} in another shell or on another machine: ${e.was} → ${e.status}`))
    .on('queue:invalid', (e) => out(`! queue file edited into an invalid state (the run goes on with the last valid one): ${e.message}`))
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
