// npm run bench:coding: the coding loop's own costs — reading a CLI's stream-json as it arrives, and
// a checkpoint commit in a work tree of a given size. A benchmark, not a test: figures, no verdicts.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readLines } from '../src/agents/coding/agent-output.js';
import { createClaudeParser } from '../src/agents/coding/parse-claude.js';
import { makeCheckpoint } from '../src/agents/git-checkpoint.js';
import { detectStuck } from '../src/engine/detect-stuck.js';

function streamJson(events: number): string {
  const lines: string[] = [JSON.stringify({ type: 'system', subtype: 'init', session_id: 's', model: 'm' })];
  for (let i = 0; i < events; i++) {
    lines.push(
      i % 2 === 0
        ? JSON.stringify({ type: 'assistant', message: { content: [{ type: 'text', text: `step ${i}: ${'x'.repeat(200)}` }, { type: 'tool_use', name: 'Bash', input: { command: `npm test -- ${i}` } }] } })
        : JSON.stringify({ type: 'user', message: { content: [{ type: 'tool_result', tool_use_id: 't', content: 'y'.repeat(2000) }] } }),
    );
  }
  lines.push(JSON.stringify({ type: 'result', subtype: 'success', is_error: false, result: 'done', total_cost_usd: 1, num_turns: events, usage: { input_tokens: 1, output_tokens: 1 } }));
  return lines.join('\n');
}

const rows: Record<string, unknown>[] = [];
for (const events of [1_000, 10_000, 100_000]) {
  const text = streamJson(events);
  global.gc?.();
  const before = process.memoryUsage().heapUsed;
  const start = performance.now();
  const out = readLines(createClaudeParser(), text);
  const ms = performance.now() - start;
  rows.push({ bench: 'parse claude stream-json', events, mb: +(text.length / 1e6).toFixed(1), ms: Math.round(ms), mb_per_s: Math.round(text.length / 1e6 / (ms / 1000)), heap_mb: +((process.memoryUsage().heapUsed - before) / 1e6).toFixed(1), answer_chars: out.answer.length });
}

const traces = Array.from({ length: 3 }, (_, i) => ({ error: null, output: `line ${i}\n`.repeat(400) }));
let start = performance.now();
for (let i = 0; i < 1000; i++) detectStuck(traces, 3);
rows.push({ bench: 'stuck detection (3 x 4 kB outputs)', runs: 1000, us_per_run: Math.round(((performance.now() - start) * 1000) / 1000) });

for (const files of [100, 5_000]) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'al-bench-git-'));
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: dir, encoding: 'utf8' });
  git('init', '-q');
  git('config', 'user.name', 'bench');
  git('config', 'user.email', 'bench@localhost');
  mkdirSync(path.join(dir, 'src'));
  for (let i = 0; i < files; i++) writeFileSync(path.join(dir, 'src', `f${i}.txt`), `file ${i}\n`);
  git('add', '-A');
  git('commit', '-qm', 'initial');
  const times: number[] = [];
  for (let round = 0; round < 5; round++) {
    for (let i = 0; i < 10; i++) writeFileSync(path.join(dir, 'src', `f${i}.txt`), `round ${round}\n`);
    start = performance.now();
    await makeCheckpoint(dir, { message: `bench ${round}`, branch: 'current', runBranch: 'loop/bench', exclude: () => false });
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  rows.push({ bench: 'checkpoint commit (10 files changed)', files_in_tree: files, median_ms: Math.round(times[2] ?? 0), max_ms: Math.round(times[4] ?? 0) });
  rmSync(dir, { recursive: true, force: true });
}

console.table(rows);
