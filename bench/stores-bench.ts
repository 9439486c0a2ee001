// npm run bench:stores: 10,000 no-op tasks through one runner (the real loop, in-process no-op
// agent, write-back), on SQLite and on PostgreSQL, alternating, each run in its own process (its
// own peak RSS). A benchmark, not a test: figures, no verdicts. The machine's load average is
// printed with every run (on a shared machine it moves the figures more than anything else).
// PostgreSQL: a throwaway cluster (initdb + pg_ctl) unless BENCH_DATABASE_URL is set; each run a
// fresh database on it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDatabase, startCluster } from '../test/helpers/postgres-cluster.js';
import { generateQueue } from './generate-queue.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const size = Number(arg('--tasks', '10000'));
const rounds = Number(arg('--rounds', '3'));
const shape = arg('--shape', 'layered') as 'chain' | 'fanout' | 'layered';
const stores = arg('--stores', 'sqlite,postgres').split(',');

const cluster = stores.includes('postgres') && !process.env.BENCH_DATABASE_URL ? await startCluster() : undefined;
const serverUrl = process.env.BENCH_DATABASE_URL ?? cluster?.url;

function freshDatabase(): Promise<string> {
  return createDatabase(serverUrl!, `bench_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`);
}

interface Row {
  store: string;
  load: number;
  per_task_ms: number;
  run_ms: number;
  peak_rss_mb: number;
}
const rows: Row[] = [];
try {
  for (let round = 0; round < rounds; round++) {
    for (const store of stores) {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'al-bench-stores-'));
      mkdirSync(path.join(dir, 'tasks'));
      writeFileSync(path.join(dir, 'tasks', 'work_queue_bench.json'), JSON.stringify(generateQueue(size, shape), null, 2));
      const url = store === 'postgres' ? await freshDatabase() : '';
      const load = Number(os.loadavg()[0]!.toFixed(1));
      const out = execFileSync(process.execPath, [path.join(here, 'engine-bench.js'), dir, String(size), shape], { encoding: 'utf8', env: { ...process.env, AUTONOMOUS_LOOP_DATABASE_URL: url }, maxBuffer: 1 << 20 });
      const r = JSON.parse(out.trim().split('\n').pop()!) as { run_ms: number; per_task_ms: number; peak_rss_mb: number };
      rows.push({ store, load, per_task_ms: r.per_task_ms, run_ms: r.run_ms, peak_rss_mb: r.peak_rss_mb });
      process.stderr.write(`${store} round ${round + 1}: ${r.per_task_ms} ms/task, peak RSS ${r.peak_rss_mb} MB (load ${load})\n`);
    }
  }
} finally {
  cluster?.stop();
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const lines = [`${size} no-op tasks (${shape}) through one runner, ${rounds} round(s); ${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, node ${process.version}`, '  store      median ms/task  min ms/task  median peak RSS MB  load (1 min)'];
for (const store of stores) {
  const mine = rows.filter((r) => r.store === store);
  lines.push(`  ${store.padEnd(10)} ${String(median(mine.map((r) => r.per_task_ms))).padStart(14)} ${String(Math.min(...mine.map((r) => r.per_task_ms))).padStart(12)} ${String(median(mine.map((r) => r.peak_rss_mb))).padStart(19)}  ${mine.map((r) => r.load).join(', ')}`);
}
const s = median(rows.filter((r) => r.store === 'sqlite').map((r) => r.per_task_ms));
const p = median(rows.filter((r) => r.store === 'postgres').map((r) => r.per_task_ms));
if (Number.isFinite(s) && Number.isFinite(p)) lines.push(`  PostgreSQL / SQLite per task: ${(p / s).toFixed(2)}x`);
process.stdout.write(`${lines.join('\n')}\n`);
