import type { EngineEmitter } from '../../engine/events.js';
import { formatSummary, type View } from './format-summary.js';
import { formatFigures } from '../commands/format-figures.js';
import { neutraliseControls } from '../../log/terminal-text.js';
import { writeOwnControls } from '../terminal-guard.js';
import { staysOnScreen } from './lines-that-stay.js';

/** Lines that came while a question is open, shown beneath it (all of them print above once it closes). */
const MEANWHILE_LINES = 6;
const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

interface Running {
  title: string;
  lines: string[];
}

/**
 * The terminal view: finished lines scroll above, and beneath them a live region — one line a
 * running iteration (spinner, task, iteration) and its latest output. One renderer for the whole
 * run, writing through one function, so nothing else ever holds the terminal; a prompt pauses it
 * (the region is wiped first, so the question is fully on screen) and it resumes after.
 */
export function attachLiveView(emitter: EngineEmitter, options: { concurrency: number; outputLines?: number }): View {
  const running = new Map<string, Running>();
  const keep = options.outputLines ?? (options.concurrency > 1 ? 1 : 3);
  let drawn = 0;
  let paused = false;
  let stopped = false;
  let frame = 0;
  let timer: NodeJS.Timeout | undefined;
  const width = (): number => Math.max(20, (process.stdout.columns || 100) - 1);
  // Measured after neutralising: what the terminal guard writes is what fills the line.
  const fit = (raw: string, margin = 0): string => {
    const s = neutraliseControls(raw);
    const w = width() - margin;
    return s.length > w ? `${s.slice(0, w - 1)}…` : s;
  };

  const wipe = (): void => {
    if (drawn > 0) writeOwnControls(`\x1b[${drawn}F\x1b[0J`);
    drawn = 0;
  };
  const region = (margin = 0): string[] => {
    const lines: string[] = [];
    for (const r of running.values()) {
      lines.push(fit(`${FRAMES[frame % FRAMES.length]} ${r.title}`, margin));
      for (const l of r.lines) lines.push(fit(`  › ${l}`, margin));
    }
    return lines;
  };
  // While a question is open, the prompt draws the run beneath it: the lines that came meanwhile, the live region.
  let watcher: ((lines: string[]) => void) | undefined;
  const tellWatcher = (): void => watcher?.([...held.slice(-MEANWHILE_LINES).map((l) => fit(l, 2)), ...region(2)]);
  const draw = (): void => {
    if (stopped) return;
    if (paused) return tellWatcher();
    wipe();
    const lines = region();
    if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
    drawn = lines.length;
  };
  const tick = (): void => {
    if (running.size === 0 || stopped) {
      if (timer) clearInterval(timer);
      timer = undefined;
      return;
    }
    timer ??= setInterval(() => {
      frame++;
      draw();
    }, 120).unref();
  };
  // A finished line goes above the live region, which is drawn again beneath it.
  // While a question is on screen, what other tasks say waits beneath it, then comes in order.
  const held: string[] = [];
  const print = (line: string): void => {
    if (paused) {
      held.push(...line.split('\n'));
      tellWatcher();
      return;
    }
    wipe();
    process.stdout.write(`${line}\n`);
    draw();
  };

  emitter
    .on('run:start', (e) => print(`autonomous-loop · ${e.project} · ${e.tasks} task(s)${e.resumed ? ' · resuming' : ''} · run ${e.runId}`))
    .on('task:start', (e) => print(`▶ ${e.taskId} (${e.agentType})`))
    .on('iteration:start', (e) => {
      running.set(e.taskId, { title: `${e.taskId} · iteration ${e.iteration}/${e.maxIterations}`, lines: [] });
      tick();
      draw();
    })
    .on('iteration:output', (e) => {
      const r = running.get(e.taskId);
      if (!r) return print(`  ${e.taskId} › ${e.line}`);
      for (const part of e.line.split('\n')) {
        if (staysOnScreen(part)) print(`  ${e.taskId} › ${part.trim()}`);
        r.lines.push(part);
      }
      r.lines.splice(0, Math.max(0, r.lines.length - keep));
      draw();
    })
    .on('iteration:end', (e) => {
      const r = running.get(e.taskId);
      running.delete(e.taskId);
      tick();
      const ok = e.promiseMet || e.verdict === 'PASS';
      // The verify gate's line says what failed; else the error's first line (the next prompt has the rest).
      const why = e.verify ?? (e.error && !e.promiseMet ? e.error.split('\n')[0] : undefined);
      print(`${ok ? '✔' : e.verdict === 'BLOCKED' ? '⛔' : '✖'} ${r?.title ?? `${e.taskId} · iteration ${e.iteration}`} · ${e.verdict}${e.promiseMet ? ' · promise kept' : ''}${why ? ` · ${why}` : ''}`);
    })
    .on('iteration:figures', (e) => {
      const figures = formatFigures({ cost_usd: e.costUsd, tokens: e.tokens, turns: e.turns, duration_ms: null });
      if (figures) print(`  ${e.taskId} · ${figures}${e.checkpoint ? ` · checkpoint ${e.checkpoint.slice(0, 12)}` : ''}`);
    })
    .on('task:end', (e) => {
      if (e.status === 'awaiting_approval') return; // task:waiting said it, with the command
      // Stopped by Ctrl-C (or --max-iterations): it waits for the next run, it did not fail.
      if (e.status === 'pending') return print(`■ ${e.taskId} stopped${e.reason ? `: ${e.reason}` : ''}`);
      print(`${e.status === 'complete' ? '✔' : '✖'} ${e.taskId} ${e.status.replace('_', ' ')}${e.reason ? `: ${e.reason}` : ''}`);
    })
    .on('task:skipped', (e) => print(`↷ ${e.taskId} skipped: ${e.reason}`))
    .on('task:waiting', (e) => print(`⏸ ${e.taskId} awaiting approval: ${e.reason}\n  approve with: ${e.approveCommand}`))
    .on('queue:reloaded', (e) => print(`~ queue file edited: ${e.added.length} added, ${e.changed.length} changed, ${e.reset.length} set back to pending`))
    .on('task:decided', (e) => print(`~ ${e.taskId}: ${e.decision ? `${e.decision} by ${e.by ?? 'a person'}` : 'decided'} in another shell or on another machine: ${e.was} → ${e.status}`))
    .on('queue:invalid', (e) => print(`! queue file edited into an invalid state (the run goes on with the last valid one): ${e.message}`))
    .on('run:waiting', (e) => print(`… ${e.message}`))
    .on('warning', (e) => print(`! ${e.message}`));

  return {
    idle: async () => {
      wipe();
      paused = true;
    },
    watch: (show) => {
      watcher = show;
      tellWatcher();
      return () => {
        if (watcher === show) watcher = undefined;
      };
    },
    stop: () => {
      wipe();
      stopped = true;
      if (timer) clearInterval(timer);
      timer = undefined;
    },
    resume: () => {
      paused = false;
      if (held.length > 0) process.stdout.write(`${held.splice(0).join('\n')}\n`);
      draw();
    },
    summary: (s) => {
      running.clear();
      tick();
      paused = false;
      if (held.length > 0) process.stdout.write(`${held.splice(0).join('\n')}\n`);
      print(formatSummary(s));
    },
  };
}
