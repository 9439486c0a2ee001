// npm run bench:approve — issue 23: `approve` on machine B starts the gated task on machine A.
// Two workspaces (two checkouts, "machines") on one PostgreSQL database: a runner on A with --wait
// and 20 gated tasks; `approve` run on B one task at a time. Also the same on SQLite (one
// workspace, another shell). Prints the medians; a benchmark, not a test: figures, no verdicts.
// Uses AUTONOMOUS_LOOP_DATABASE_URL's server if set (a database is created in it), else starts a
// throwaway cluster like the tests do.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startCluster } from '../test/helpers/postgres-cluster.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.join(here, '..', 'src', 'cli', 'main.js');
const N = Number(process.argv[2] ?? 20);

const queue = { features: Array.from({ length: N }, (_, i) => ({ id: `G${i + 1}`, agent_type: 'noop', requires_approval: ['bench'] })) };

function workspace(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'al-bench-approve-'));
  mkdirSync(path.join(dir, 'tasks'));
  writeFileSync(path.join(dir, 'tasks', 'work_queue_p.json'), JSON.stringify(queue, null, 2));
  return dir;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

interface Figures {
  store: string;
  from_approve_start_ms: number;
  from_decision_recorded_ms: number;
  max_from_decision_recorded_ms: number;
  approve_cli_ms: number;
}

async function measure(store: string, runnerWs: string, deciderWs: string, env: NodeJS.ProcessEnv, decidedAt: (taskId: string) => Promise<number>): Promise<Figures> {
  const runner = spawn(process.execPath, [cli, '--project', 'p', '--wait', '--json'], { cwd: runnerWs, env, stdio: ['ignore', 'pipe', 'inherit'] });
  const started = new Map<string, number>();
  let waiting = false;
  let buffer = '';
  runner.stdout.on('data', (d: Buffer) => {
    buffer += d.toString();
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      try {
        const e = JSON.parse(line) as { event: string; time: string; taskId?: string };
        if (e.event === 'run:waiting') waiting = true;
        if (e.event === 'task:start' && e.taskId) started.set(e.taskId, Date.parse(e.time));
      } catch {
        // not a JSON line
      }
    }
  });
  const until = async (what: string, ok: () => boolean, ms = 60_000): Promise<void> => {
    const end = Date.now() + ms;
    while (!ok()) {
      if (Date.now() > end) throw new Error(`${store}: waited ${ms} ms for ${what}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  await until('the runner to wait at its gates', () => waiting);
  const fromStart: number[] = [];
  const fromDecision: number[] = [];
  const cliMs: number[] = [];
  for (let i = 1; i <= N; i++) {
    const id = `G${i}`;
    const before = started.size;
    const t0 = Date.now();
    const r = spawnSync(process.execPath, [cli, 'approve', id, '--project', 'p', '--by', 'bench'], { cwd: deciderWs, env, encoding: 'utf8' });
    cliMs.push(Date.now() - t0);
    if (r.status !== 0) throw new Error(`approve ${id}: exit ${r.status}: ${r.stderr}`);
    await until(`${id} to start`, () => started.has(id) && started.size > before, 30_000);
    fromStart.push(started.get(id)! - t0);
    fromDecision.push(started.get(id)! - (await decidedAt(id)));
  }
  runner.kill('SIGINT');
  await new Promise((r) => runner.once('exit', r));
  return {
    store,
    from_approve_start_ms: median(fromStart),
    from_decision_recorded_ms: median(fromDecision),
    max_from_decision_recorded_ms: Math.max(...fromDecision),
    approve_cli_ms: median(cliMs),
  };
}

const cluster = process.env.AUTONOMOUS_LOOP_DATABASE_URL ? undefined : await startCluster();
const serverUrl = new URL(process.env.AUTONOMOUS_LOOP_DATABASE_URL ?? cluster!.url);
const made: string[] = [];
try {
  // PostgreSQL: runner on A, approve on B.
  const admin = new pg.Client({ connectionString: serverUrl.toString() });
  await admin.connect();
  const name = `al_bench_${Date.now()}`;
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const dbUrl = new URL(serverUrl.toString());
  dbUrl.pathname = `/${name}`;
  const a = workspace();
  const b = workspace();
  made.push(a, b);
  const reader = new pg.Client({ connectionString: dbUrl.toString() });
  const pgEnv = { ...process.env, CI: '1', AUTONOMOUS_LOOP_DATABASE_URL: dbUrl.toString() };
  let connected = false;
  const pgFigures = await measure('postgres (approve on B, runner on A)', a, b, pgEnv, async (id) => {
    if (!connected) {
      await reader.connect();
      connected = true;
    }
    const row = (await reader.query('SELECT record FROM autonomous_loop.decisions WHERE task_id = $1 ORDER BY seq DESC LIMIT 1', [id])).rows[0] as { record: string };
    return Date.parse((JSON.parse(row.record) as { timestamp: string }).timestamp);
  });
  await reader.end();
  // SQLite: one workspace, approve from another shell.
  const s = workspace();
  made.push(s);
  const sqliteEnv: NodeJS.ProcessEnv = { ...process.env, CI: '1' };
  delete sqliteEnv.AUTONOMOUS_LOOP_DATABASE_URL;
  const { default: Database } = await import('better-sqlite3');
  const sqliteFigures = await measure('sqlite (approve in another shell)', s, s, sqliteEnv, async (id) => {
    const db = new Database(path.join(s, '.aibrain', 'state.db'), { readonly: true });
    try {
      const row = db.prepare('SELECT record FROM decisions WHERE task_id = ? ORDER BY seq DESC LIMIT 1').get(id) as { record: string };
      return Date.parse((JSON.parse(row.record) as { timestamp: string }).timestamp);
    } finally {
      db.close();
    }
  });
  const figures = { tasks: N, cores: os.cpus().length, load: os.loadavg().map((l) => Number(l.toFixed(1))), results: [pgFigures, sqliteFigures] };
  console.log(JSON.stringify(figures, null, 2));
} finally {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
  cluster?.stop();
}
