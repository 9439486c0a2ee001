// npm run bench: engine overhead, validate+plan, deployments.json appends, CLI start-up.
// Prints a table and writes bench/results.json. A benchmark, not a test: figures, no verdicts.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchDeploymentsAppend } from './deployments-bench.js';
import { generateQueue } from './generate-queue.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const cli = path.join(root, 'dist', 'src', 'cli', 'main.js');
const quick = process.argv.includes('--quick');
const sizes = quick ? [100, 1000, 10_000] : [100, 1000, 10_000, 50_000];
const shapes = ['chain', 'fanout', 'layered'] as const;

interface EngineRow {
  size: number;
  shape: string;
  waves: number;
  validate_plan_ms: number;
  run_ms: number;
  per_task_ms: number;
  peak_rss_mb: number;
}

const engine: EngineRow[] = [];
for (const size of sizes) {
  for (const shape of shapes) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'al-bench-'));
    mkdirSync(path.join(dir, 'tasks'));
    writeFileSync(path.join(dir, 'tasks', 'work_queue_bench.json'), JSON.stringify(generateQueue(size, shape), null, 2));
    // The child removes the folder when done.
    const out = execFileSync(process.execPath, [path.join(here, 'engine-bench.js'), dir, String(size), shape], { encoding: 'utf8', maxBuffer: 1 << 20 });
    const row = JSON.parse(out.trim().split('\n').pop()!) as EngineRow;
    engine.push(row);
    process.stderr.write(`engine ${shape} ${size}: ${row.per_task_ms} ms/task\n`);
  }
}

const deployments = [1000, 10_000, 100_000].map((n) => benchDeploymentsAppend(n));

function wall(args: string[], cwd: string, runs = 10): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8' });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return Number(times[Math.floor(times.length / 2)]!.toFixed(1));
}
const ws = mkdtempSync(path.join(os.tmpdir(), 'al-bench-cli-'));
mkdirSync(path.join(ws, 'tasks'));
writeFileSync(path.join(ws, 'tasks', 'work_queue_demo.json'), JSON.stringify(generateQueue(100, 'layered')));
const nodeOnly = (() => {
  const t0 = process.hrtime.bigint();
  spawnSync(process.execPath, ['-e', '0']);
  return Number((Number(process.hrtime.bigint() - t0) / 1e6).toFixed(1));
})();
const startup = { node_itself_ms: nodeOnly, help_ms: wall(['--help'], ws), status_ms: wall(['status', '--project', 'demo'], ws) };
rmSync(ws, { recursive: true, force: true });

const results = { machine: `${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, node ${process.version}`, date: new Date().toISOString(), engine, deployments, startup };
writeFileSync(path.join(root, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);

const pad = (v: unknown, n: number) => String(v).padStart(n);
const lines = ['engine (in-process no-op agent, real SQLite and write-back)', '  shape      tasks  waves  validate+plan ms   run ms  ms/task  peak RSS MB'];
for (const r of engine) lines.push(`  ${r.shape.padEnd(8)} ${pad(r.size, 7)} ${pad(r.waves, 6)} ${pad(r.validate_plan_ms, 16)} ${pad(r.run_ms, 8)} ${pad(r.per_task_ms, 8)} ${pad(r.peak_rss_mb, 12)}`);
lines.push('deployments.json: one append with N records there', '  records   file MB  ms/append');
for (const d of deployments) lines.push(`  ${pad(d.existing, 7)} ${pad(d.file_mb, 9)} ${pad(d.append_ms, 10)}`);
lines.push(`CLI start-up (median of 10): node alone ${startup.node_itself_ms} ms, --help ${startup.help_ms} ms, status ${startup.status_ms} ms`);
process.stdout.write(`${lines.join('\n')}\n(written to bench/results.json)\n`);
