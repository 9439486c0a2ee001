// Several runners against one: a queue of one-second command tasks in depends_on chains, run by
// N runners (a workspace each, one PostgreSQL database) and by one runner at the same
// --concurrency; prints both wall times and their ratio, and checks every task ran exactly once.
// A throwaway PostgreSQL cluster is started (initdb + pg_ctl) unless BENCH_DATABASE_URL is set.
//   npm run bench:runners -- [--tasks 200] [--chain 5] [--seconds 1] [--runners 4] [--concurrency 1]
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startCluster } from '../test/helpers/postgres-cluster.js';

const args = process.argv.slice(2);
const opt = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const TASKS = opt('tasks', 200);
const CHAIN = opt('chain', 5);
const SECONDS = opt('seconds', 1);
const RUNNERS = opt('runners', 4);
const CONCURRENCY = opt('concurrency', 1);
const cli = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

function queue(): unknown {
  const features = [];
  for (let i = 0; i < TASKS; i++) {
    const link = i % CHAIN;
    features.push({
      id: `T${String(i).padStart(4, '0')}`,
      agent_type: 'command',
      command: ['sh', '-c', `sleep ${SECONDS}; echo '<promise>DONE</promise>'`],
      completion_promise: 'DONE',
      ...(link > 0 ? { depends_on: [`T${String(i - 1).padStart(4, '0')}`] } : {}),
    });
  }
  return { features };
}

async function sql<T>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows as T[];
  } finally {
    await client.end();
  }
}

async function database(admin: string, name: string): Promise<string> {
  await sql(admin, `CREATE DATABASE ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}

function runner(root: string, url: string): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, '--project', 'bench', '--root', root, '--database-url', url, '--concurrency', String(CONCURRENCY), '--lease', '10'], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, CI: '1' },
    });
    child.on('close', (code) => resolve(code));
  });
}

async function trial(admin: string, runners: number, base: string): Promise<{ seconds: number; once: boolean }> {
  const url = await database(admin, `bench_${runners}_${Date.now()}`);
  const roots = Array.from({ length: runners }, (_, i) => {
    const root = path.join(base, `r${runners}-${i}`);
    mkdirSync(path.join(root, 'tasks'), { recursive: true });
    writeFileSync(path.join(root, 'tasks', 'work_queue_bench.json'), JSON.stringify(queue(), null, 1));
    return root;
  });
  const t0 = performance.now();
  const codes = await Promise.all(roots.map((root) => runner(root, url)));
  const seconds = (performance.now() - t0) / 1000;
  if (codes.some((c) => c !== 0)) throw new Error(`a runner exited ${codes.join(', ')}`);
  const counts = await sql<{ n: string }>(url, `SELECT count(*) AS n FROM autonomous_loop.iterations GROUP BY task_id`);
  const complete = await sql<{ n: string }>(url, `SELECT count(*) AS n FROM autonomous_loop.tasks WHERE status = 'complete'`);
  const once = counts.length === TASKS && counts.every((c) => Number(c.n) === 1) && Number(complete[0]?.n) === TASKS;
  return { seconds, once };
}

const own = process.env.BENCH_DATABASE_URL ? undefined : await startCluster();
const admin = process.env.BENCH_DATABASE_URL ?? own?.url ?? '';
const base = mkdtempSync(path.join(os.tmpdir(), 'al-runners-bench-'));
try {
  const many = await trial(admin, RUNNERS, base);
  const one = await trial(admin, 1, base);
  const round = (n: number): number => Math.round(n * 100) / 100;
  process.stdout.write(
    `${JSON.stringify({
      tasks: TASKS,
      chain: CHAIN,
      task_seconds: SECONDS,
      concurrency: CONCURRENCY,
      runners: RUNNERS,
      wall_s_many: round(many.seconds),
      wall_s_one: round(one.seconds),
      speedup: round(one.seconds / many.seconds),
      every_task_once: many.once && one.once,
    })}\n`,
  );
} finally {
  rmSync(base, { recursive: true, force: true });
  own?.stop();
}
