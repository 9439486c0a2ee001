import type { RunSummary } from '../../engine/run-loop.js';

export interface View {
  /** Resolves when nothing is being drawn: prompts wait for it. */
  idle(): Promise<void>;
  /** After a prompt: draw again. */
  resume?(): void;
  /** While a question is open: `show` gets what the run is doing beneath it, until the returned function is called. */
  watch?(show: (lines: string[]) => void): () => void;
  /** The run is stopping (Ctrl-C, SIGTERM, the terminal closed): the live region is cleared and not drawn again; lines still print. */
  stop?(): void;
  summary(summary: RunSummary): void;
}

export function formatSummary(summary: RunSummary): string {
  const c = summary.counts;
  const parts = [`${c.complete} complete`];
  for (const key of ['failed', 'blocked', 'skipped', 'awaiting_approval', 'pending', 'in_progress'] as const) {
    if (c[key] > 0) parts.push(`${c[key]} ${key.replace('_', ' ')}`);
  }
  const lines = [`run ${summary.runId}: ${parts.join(', ')} (exit ${summary.exitCode})`];
  for (const w of summary.waiting) lines.push(`waiting for approval: ${w.taskId}\n  approve: ${w.approveCommand}\n  reject:  ${w.approveCommand.replace(' approve ', ' reject ')}`);
  for (const t of summary.tasks) {
    if (t.status === 'failed' || t.status === 'blocked' || t.status === 'skipped') {
      lines.push(`${t.status}: ${t.spec.id}${t.reason ? ` (${t.reason})` : ''}${t.lastError && t.status !== 'skipped' ? `\n  last error: ${t.lastError}` : ''}`);
    }
  }
  return lines.join('\n');
}
