import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { ChildProcess } from 'node:child_process';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { freshDatabase } from '../helpers/postgres.js';
import { makeWorkspace, removeWorkspaces, startCli as start, writeQueue } from '../helpers/workspace.js';

afterAll(removeWorkspaces);
const started: ChildProcess[] = [];
// A test that failed half-way leaves no runner behind (a stopped one is woken to die).
afterEach(() => {
  for (const child of started.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      child.kill('SIGCONT');
    }
  }
});
const startCli = (args: string[], options: { cwd: string; env?: Record<string, string> }): ReturnType<typeof start> => {
  const child = start(args, options);
  started.push(child);
  return child;
};

// Issue 23: several runners (real CLI processes, a workspace each) on one PostgreSQL database.

const sh = (script: string): string[] => ['sh', '-c', script];
const task = (id: string, script: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ id, agent_type: 'command', command: sh(script), completion_promise: 'DONE', max_iterations: 2, ...extra });

/** Chains of command tasks: chain c is T<c>-0 -> T<c>-1 -> ... */
function chains(count: number, length: number, seconds: number): Record<string, unknown>[] {
  const tasks: Record<string, unknown>[] = [];
  for (let c = 0; c < count; c++) {
    for (let i = 0; i < length; i++) tasks.push(task(`T${c}-${i}`, `sleep ${seconds}; echo '<promise>DONE</promise>'`, i > 0 ? { depends_on: [`T${c}-${i - 1}`] } : {}));
  }
  return tasks;
}

async function query<T>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

// A query before the runner has made the schema fails: not yet.
async function poll(fn: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const start = Date.now();
  while (!(await fn().catch(() => false))) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function workspaces(n: number, queue: unknown): string[] {
  return Array.from({ length: n }, () => {
    const ws = makeWorkspace();
    writeQueue(ws, 'p', queue);
    return ws;
  });
}

/** The exit code, or 'still running' after timeoutMs (the test then says what the runner showed). */
const ended = (child: ReturnType<typeof startCli>, timeoutMs: number): Promise<number | null | string> =>
  Promise.race([child.exited, new Promise<string>((r) => setTimeout(() => r('still running'), timeoutMs))]);

const runnerOf = async (url: string, pid: number): Promise<string | undefined> =>
  (await query<{ runner_id: string }>(url, 'SELECT runner_id FROM autonomous_loop.runners WHERE pid = $1', [pid]))[0]?.runner_id;

describe('several runners on one PostgreSQL database', () => {
  it.each([2, 4])('%i runners on one queue run every task exactly once, and each says so in its file', async (n) => {
    const url = await freshDatabase();
    const queue = { features: chains(n * 2, 3, 0.2) };
    const spaces = workspaces(n, queue);
    const runners = spaces.map((ws) => startCli(['--project', 'p', '--database-url', url, '--lease', '5'], { cwd: ws }));
    const codes = await Promise.all(runners.map((r) => r.exited));
    expect(codes, runners.map((r) => r.output()).join('\n----\n')).toEqual(spaces.map(() => 0));
    // Exactly once: one runner ran each task, and one iteration of it kept the promise. (Under heavy
    // load the command agent now and then misses an output line and runs a second iteration, by the
    // same runner: that is not the claim's to prevent, so iterations are not counted.)
    const runs = await query<{ task_id: string; kept: string; runners: string }>(url, `SELECT task_id, sum(promise_met) AS kept, count(DISTINCT run_id) AS runners FROM autonomous_loop.iterations GROUP BY task_id ORDER BY task_id`);
    expect(runs.map((r) => [r.task_id, Number(r.kept), Number(r.runners)])).toEqual(queue.features.map((t) => [t.id, 1, 1]).sort());
    // The work was shared: more than one runner ran tasks.
    expect(new Set((await query<{ run_id: string }>(url, 'SELECT DISTINCT run_id FROM autonomous_loop.iterations')).map((r) => r.run_id)).size).toBeGreaterThan(1);
    for (const ws of spaces) {
      const file = JSON.parse(readFileSync(path.join(ws, 'tasks', 'work_queue_p.json'), 'utf8')) as { features: { status?: string }[] };
      expect(file.features.every((t) => t.status === 'complete')).toBe(true);
    }
  }, 180_000);

  it('a runner killed mid-task (SIGKILL): another resumes the task after the lease, the cut-off iteration again under its own number', async () => {
    const url = await freshDatabase();
    const [wsA, wsB] = workspaces(2, { features: [task('LONG', `sleep 4; echo '<promise>DONE</promise>'`)] });
    const a = startCli(['--project', 'p', '--database-url', url, '--lease', '2'], { cwd: wsA ?? '' });
    await poll(async () => (await query(url, `SELECT 1 FROM autonomous_loop.iterations WHERE task_id = 'LONG' AND state = 'running'`)).length > 0, 60_000, 'runner A to start LONG');
    const b = startCli(['--project', 'p', '--database-url', url, '--lease', '2'], { cwd: wsB ?? '' });
    await poll(async () => (b.pid !== undefined && (await runnerOf(url, b.pid)) !== undefined), 60_000, 'runner B to register');
    const runnerA = await runnerOf(url, a.pid ?? 0);
    a.kill('SIGKILL');
    const killedAt = Date.now();
    await a.exited;
    expect(await b.exited, b.output()).toBe(0);
    expect(b.output()).toMatch(/LONG: resumed here; runner run-\S+ stopped renewing its lease/);
    const its = await query<{ n: number; state: string; run_id: string; started_at: string }>(url, `SELECT n, state, run_id, started_at FROM autonomous_loop.iterations WHERE task_id = 'LONG' ORDER BY id`);
    expect(its.map((i) => [i.n, i.state, i.run_id === runnerA])).toEqual([
      [1, 'interrupted', true],
      [1, 'done', false],
    ]);
    // From the death to the recorded start of B's iteration (B idle, waiting): at most the lease (2 s) and 5 s.
    expect(Date.parse(its[1]?.started_at ?? '') - killedAt, b.output()).toBeLessThanOrEqual(2_000 + 5_000);
  }, 180_000);

  it('the runner that resumes a cut-off task dies before its first iteration: the next one still runs the cut-off iteration under its own number', async () => {
    const url = await freshDatabase();
    const [wsA, wsB, wsC] = workspaces(3, { features: [task('LONG', `sleep 4; echo '<promise>DONE</promise>'`)] });
    const a = startCli(['--project', 'p', '--database-url', url, '--lease', '2'], { cwd: wsA ?? '' });
    await poll(async () => (await query(url, `SELECT 1 FROM autonomous_loop.iterations WHERE task_id = 'LONG' AND state = 'running'`)).length > 0, 60_000, 'runner A to start LONG');
    // B waits beside A; A dies: B takes LONG over, records A's iteration cut off, and dies (a power
    // cut) before its own iteration.
    const b = startCli(['--project', 'p', '--database-url', url, '--lease', '2'], { cwd: wsB ?? '', env: { AUTONOMOUS_LOOP_CRASH_AT: 'claim:cut-off-recorded#1' } });
    await poll(async () => (b.pid !== undefined && (await runnerOf(url, b.pid)) !== undefined), 60_000, 'runner B to register');
    a.kill('SIGKILL');
    await a.exited;
    expect(await b.exited, b.output()).toBeNull(); // killed there
    expect(b.output()).toMatch(/LONG: resumed here/);
    const c = startCli(['--project', 'p', '--database-url', url, '--lease', '2'], { cwd: wsC ?? '' });
    expect(await c.exited, c.output()).toBe(0);
    const its = await query<{ n: number; state: string }>(url, `SELECT n, state FROM autonomous_loop.iterations WHERE task_id = 'LONG' ORDER BY id`);
    expect(its.map((i) => [i.n, i.state])).toEqual([
      [1, 'interrupted'],
      [1, 'done'],
    ]);
  }, 180_000);

  it('a runner killed (SIGKILL) and the run started again on the same machine: its task is taken over at once, not after the lease', async () => {
    const url = await freshDatabase();
    const [ws] = workspaces(1, { features: [task('LONG', `sleep 3; echo '<promise>DONE</promise>'`)] });
    // The default lease (30 s): the second run must not wait it out for a runner it can see is dead.
    const a = startCli(['--project', 'p', '--database-url', url], { cwd: ws ?? '' });
    await poll(async () => (await query(url, `SELECT 1 FROM autonomous_loop.iterations WHERE task_id = 'LONG' AND state = 'running'`)).length > 0, 60_000, 'runner A to start LONG');
    const runnerA = await runnerOf(url, a.pid ?? 0);
    a.kill('SIGKILL');
    await a.exited;
    const restartedAt = Date.now();
    const b = startCli(['--project', 'p', '--database-url', url], { cwd: ws ?? '' });
    expect(await ended(b, 90_000), b.output()).toBe(0);
    expect(b.output()).toMatch(/LONG: resumed here; runner run-\S+ stopped renewing its lease/);
    const its = await query<{ n: number; state: string; run_id: string; started_at: string }>(url, `SELECT n, state, run_id, started_at FROM autonomous_loop.iterations WHERE task_id = 'LONG' ORDER BY id`);
    expect(its.map((i) => [i.n, i.state, i.run_id === runnerA])).toEqual([
      [1, 'interrupted', true],
      [1, 'done', false],
    ]);
    expect(Date.parse(its[1]?.started_at ?? '') - restartedAt, b.output()).toBeLessThan(15_000);
    // The dead runner's row is marked stopped by the second run.
    const stopped = await query<{ stopped: boolean }>(url, `SELECT stopped_at IS NOT NULL AS stopped FROM autonomous_loop.runners WHERE runner_id = $1`, [runnerA]);
    expect(stopped[0]?.stopped).toBe(true);
  }, 180_000);

  it('a runner killed holding a task while the other is busy at its --concurrency with a long task: the other resumes it within lease + 5 s (a slot lent)', async () => {
    const url = await freshDatabase();
    // Each task outlasts the lease + 5 s by far: a runner that looked for work only when a slot freed would resume X ~20 s late.
    const long = `sleep 20; echo '<promise>DONE</promise>'`;
    // Y only B may run (runs_on), first in the file: B runs Y and queues X behind it, in its one slot.
    const [wsA, wsB] = workspaces(2, { features: [task('Y', long, { runs_on: ['b'] }), task('X', long)] });
    const lease = ['--database-url', url, '--lease', '2', '--concurrency', '1'];
    const a = startCli(['--project', 'p', ...lease, '--labels', 'a'], { cwd: wsA ?? '' });
    await poll(async () => (await query(url, `SELECT 1 FROM autonomous_loop.iterations WHERE task_id = 'X' AND state = 'running'`)).length > 0, 60_000, 'runner A to start X');
    const b = startCli(['--project', 'p', ...lease, '--labels', 'b'], { cwd: wsB ?? '' });
    await poll(async () => (await query(url, `SELECT 1 FROM autonomous_loop.iterations WHERE task_id = 'Y' AND state = 'running'`)).length > 0, 60_000, 'runner B to start Y');
    const runnerA = await runnerOf(url, a.pid ?? 0);
    const runnerB = await runnerOf(url, b.pid ?? 0);
    a.kill('SIGKILL');
    const killedAt = Date.now();
    await a.exited;
    expect(await b.exited, b.output()).toBe(0);
    const its = await query<{ task_id: string; n: number; state: string; run_id: string; started_at: string; ended_at: string }>(url, `SELECT task_id, n, state, run_id, started_at, ended_at FROM autonomous_loop.iterations ORDER BY id`);
    const who = (id: string | undefined): string => (id === runnerA ? 'A' : id === runnerB ? 'B' : String(id));
    expect(its.map((i) => [i.task_id, i.n, i.state, who(i.run_id)])).toEqual([
      ['X', 1, 'interrupted', 'A'],
      ['Y', 1, 'done', 'B'],
      ['X', 1, 'done', 'B'],
    ]);
    // The recorded start of B's iteration of X: within the lease (2 s) + 5 s of the death, while B still ran Y.
    const resumed = its[2];
    const resumedAfterMs = Date.parse(resumed?.started_at ?? '') - killedAt;
    expect(resumedAfterMs, b.output()).toBeLessThanOrEqual(2_000 + 5_000);
    expect(Date.parse(resumed?.started_at ?? '')).toBeLessThan(Date.parse(its[1]?.ended_at ?? ''));
  }, 180_000);

  it('a runner paused (SIGSTOP) inside a write transaction holds every runner\'s writes at most the lease: another resumes its task within lease + 5 s', async () => {
    const url = await freshDatabase();
    const trace = path.join(makeWorkspace(), 'trace');
    const [wsA, wsB] = workspaces(2, { features: [task('HELD', `sleep 1; echo '<promise>DONE</promise>'`)] });
    // A stops inside the transaction that claims HELD, once it holds the writer lock and HELD's row, and is paused there.
    const a = startCli(['--project', 'p', '--database-url', url, '--lease', '2'], { cwd: wsA ?? '', env: { AUTONOMOUS_LOOP_PAUSE_AT: 'claim:candidates-read:60000', AUTONOMOUS_LOOP_CRASH_TRACE: trace } });
    await poll(async () => existsSync(trace) && readFileSync(trace, 'utf8').includes('claim:candidates-read:paused'), 60_000, 'runner A to pause in its transaction');
    a.kill('SIGSTOP');
    const stoppedAt = Date.now();
    // It holds the one writer lock (the premise: a transaction's first message takes it).
    const held = await query(url, `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND ((classid::bigint << 32) | objid::bigint) = $1`, [0x616c_7772]);
    expect(held).toHaveLength(1);
    const b = startCli(['--project', 'p', '--database-url', url, '--lease', '2'], { cwd: wsB ?? '' });
    expect(await ended(b, 90_000), b.output()).toBe(0);
    const its = await query<{ n: number; state: string; run_id: string; started_at: string }>(url, `SELECT n, state, run_id, started_at FROM autonomous_loop.iterations WHERE task_id = 'HELD' ORDER BY id`);
    expect(its.map((i) => [i.n, i.state])).toEqual([[1, 'done']]);
    // The server ends A's transaction after A's lease (not 15 s), and B claims HELD and records its
    // iteration's start within the lease (2 s) + 5 s of the pause.
    expect(Date.parse(its[0]?.started_at ?? '') - stoppedAt, b.output()).toBeLessThanOrEqual(2_000 + 5_000);
  }, 180_000);

  it('a runner paused past its lease (SIGSTOP) and woken (SIGCONT): it writes nothing more for the task and stops its agent', async () => {
    const url = await freshDatabase();
    // The first agent to start (A's) would take 40 s; the one that resumes it (B's) 1 s.
    const first = path.join(makeWorkspace(), 'first');
    const ws = workspaces(2, { features: [task('SLOW', `if mkdir ${first} 2>/dev/null; then sleep 40; else sleep 1; fi; echo "$AUTONOMOUS_LOOP_RUN_ID" >> ran.txt; echo '<promise>DONE</promise>'`)] });
    const a = startCli(['--project', 'p', '--database-url', url, '--lease', '2'], { cwd: ws[0] ?? '' });
    await poll(async () => (await query(url, `SELECT 1 FROM autonomous_loop.iterations WHERE task_id = 'SLOW' AND state = 'running'`)).length > 0, 60_000, 'runner A to start SLOW');
    const runnerA = await runnerOf(url, a.pid ?? 0);
    a.kill('SIGSTOP');
    const b = startCli(['--project', 'p', '--database-url', url, '--lease', '2'], { cwd: ws[1] ?? '' });
    await poll(async () => (await query(url, `SELECT 1 FROM autonomous_loop.task_claims WHERE task_id = 'SLOW' AND token = 2`)).length > 0, 60_000, 'runner B to take SLOW over');
    const takenAt = (await query<{ now: Date }>(url, 'SELECT clock_timestamp() AS now'))[0]?.now;
    a.kill('SIGCONT');
    const [codeA, codeB] = await Promise.all([a.exited, b.exited]);
    expect(codeB, b.output()).toBe(0);
    // A woke with nothing left to run (0), or, when it was paused inside a transaction of its own,
    // with that connection ended by the server: one line, exit 5 (never "this is a bug").
    expect([0, 5], a.output()).toContain(codeA);
    expect(a.output()).not.toContain('this is a bug');
    // The woken runner learnt it lost the task, and stopped its agent: only B's agent finished.
    expect(a.output()).toMatch(/SLOW: this runner lost its claim \(.*\); its agent was stopped and nothing more is written for it here/);
    const ran = [ws[0], ws[1]].map((w) => {
      try {
        return readFileSync(path.join(w ?? '', 'ran.txt'), 'utf8').trim().split('\n');
      } catch {
        return [];
      }
    });
    expect(ran[0]).toEqual([]);
    expect(ran[1]).toHaveLength(1);
    // Nothing written by A after the takeover: no iteration, no event, no record. A's iteration was
    // ended by B, cut off (at B's start, or at its takeover): B's write, whether before or after the
    // moment the test saw the new claim; A ending it in any other way would be A's.
    const after = await query<{ n: string }>(url, `SELECT (SELECT count(*) FROM autonomous_loop.iterations WHERE run_id = $1
        AND (state <> 'interrupted' OR error NOT IN ('cut off (the loop stopped)', 'cut off (its runner stopped renewing its lease)')))
      + (SELECT count(*) FROM autonomous_loop.events WHERE run_id = $1 AND at::timestamptz > $2) AS n`, [runnerA, takenAt]);
    expect(Number(after[0]?.n)).toBe(0);
    const row = await query<{ status: string; iterations: number }>(url, `SELECT status, iterations FROM autonomous_loop.tasks WHERE task_id = 'SLOW'`);
    expect(row[0]).toMatchObject({ status: 'complete', iterations: 1 });
  }, 180_000);
});

describe('runs_on labels', () => {
  it('a task no live runner can take waits for a runner with its labels, in the run and in status; a labelled runner takes it', async () => {
    const url = await freshDatabase();
    const [ws] = workspaces(1, { features: [task('FREE', `echo '<promise>DONE</promise>'`), task('PROD', `echo '<promise>DONE</promise>'`, { runs_on: ['prod'] })] });
    const plain = startCli(['--project', 'p', '--database-url', url, '--lease', '2'], { cwd: ws ?? '' });
    expect(await plain.exited, plain.output()).toBe(3);
    expect(plain.output()).toContain('PROD: waiting for a runner labelled prod');
    const status = startCli(['status', '--project', 'p', '--database-url', url, '--json'], { cwd: ws ?? '' });
    expect(await status.exited).toBe(0);
    const json = JSON.parse(status.output()) as { tasks: { id: string; status: string; waiting_for?: string }[]; runners: { labels: string[]; alive: boolean }[] };
    expect(json.tasks.map((t) => [t.id, t.status, t.waiting_for ?? null])).toEqual([
      ['FREE', 'complete', null],
      ['PROD', 'pending', 'waiting for a runner labelled prod'],
    ]);
    const labelled = startCli(['--project', 'p', '--database-url', url, '--labels', 'prod,eu'], { cwd: ws ?? '' });
    expect(await labelled.exited, labelled.output()).toBe(0);
    const ran = await query<{ task_id: string; run_id: string }>(url, 'SELECT DISTINCT task_id, run_id FROM autonomous_loop.iterations ORDER BY task_id');
    expect(ran.map((r) => r.task_id), JSON.stringify(ran)).toEqual(['FREE', 'PROD']);
    expect(ran[0]?.run_id).not.toBe(ran[1]?.run_id);
    const runners = await query<{ labels: string }>(url, 'SELECT labels FROM autonomous_loop.runners ORDER BY started_at');
    expect(runners.map((r) => JSON.parse(r.labels))).toEqual([[], ['prod', 'eu']]);
  }, 120_000);

  it('--wait: a runner started before the runner its dependency needs waits for it, and both end 0 (the README two panes, one after the other)', async () => {
    const url = await freshDatabase();
    const queue = { features: [task('BUILD', `echo '<promise>DONE</promise>'`, { runs_on: ['build'] }), task('SHIP', `echo '<promise>DONE</promise>'`, { runs_on: ['prod'], depends_on: ['BUILD'] })] };
    const [a, b] = workspaces(2, queue);
    const prod = startCli(['--project', 'p', '--database-url', url, '--labels', 'prod', '--wait'], { cwd: b ?? '' });
    // B alone: nobody can build; it says so, and stays (without --wait it would end 3).
    await poll(async () => prod.output().includes('BUILD: waiting for a runner labelled build'), 60_000, 'B to say what BUILD waits for');
    await new Promise((r) => setTimeout(r, 1500));
    expect(prod.exitCode, prod.output()).toBeNull();
    const build = startCli(['--project', 'p', '--database-url', url, '--labels', 'build', '--wait'], { cwd: a ?? '' });
    expect(await build.exited, build.output()).toBe(0);
    expect(await prod.exited, prod.output()).toBe(0);
    const rows = await query<{ task_id: string; status: string }>(url, 'SELECT task_id, status FROM autonomous_loop.tasks ORDER BY task_id');
    expect(rows.map((r) => [r.task_id, r.status])).toEqual([['BUILD', 'complete'], ['SHIP', 'complete']]);
  }, 180_000);

  it('`approve` in A\'s checkout while B ships: A reading its file after B finished never sets the task back (one run, one approval)', async () => {
    const url = await freshDatabase();
    const queue = { features: [task('BUILD', `echo '<promise>DONE</promise>'`, { runs_on: ['build'] }), task('SHIP', `echo shipped >> ${'$'}{SHIP_LOG}; echo '<promise>DONE</promise>'`, { runs_on: ['prod'], depends_on: ['BUILD'], requires_approval: ['goes to customers'] })] };
    const [a, b] = workspaces(2, queue);
    const shipLog = path.join(b ?? '', 'shipped.txt');
    process.env.SHIP_LOG = shipLog;
    const build = startCli(['--project', 'p', '--database-url', url, '--labels', 'build', '--wait'], { cwd: a ?? '' });
    const prod = startCli(['--project', 'p', '--database-url', url, '--labels', 'prod', '--wait'], { cwd: b ?? '' });
    await poll(async () => (await query<{ status: string }>(url, `SELECT status FROM autonomous_loop.tasks WHERE task_id = 'SHIP'`))[0]?.status === 'awaiting_approval', 60_000, 'SHIP to await approval');
    // A has written SHIP's status into its own file; then it is paused while the approval, made in
    // A's checkout, writes "pending" into that file and B ships.
    await poll(async () => readFileSync(path.join(a ?? '', 'tasks', 'work_queue_p.json'), 'utf8').includes('awaiting_approval'), 30_000, "A's file to show awaiting_approval");
    // Paused between transactions: a runner paused inside one would hold the writer lock and stall B
    // until the server ends its session (idle_in_transaction_session_timeout) — another test's matter.
    for (;;) {
      build.kill('SIGSTOP');
      await new Promise((r) => setTimeout(r, 100));
      const open = await query<{ n: string }>(url, `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`);
      if (Number(open[0]?.n) === 0) break;
      build.kill('SIGCONT');
      await new Promise((r) => setTimeout(r, 150));
    }
    try {
      const approve = startCli(['approve', 'SHIP', '--project', 'p', '--database-url', url, '--by', 'ana'], { cwd: a ?? '' });
      expect(await approve.exited, approve.output()).toBe(0);
      expect(await ended(prod, 90_000), prod.output()).toBe(0);
      expect((await query<{ status: string }>(url, `SELECT status FROM autonomous_loop.tasks WHERE task_id = 'SHIP'`))[0]?.status).toBe('complete');
    } finally {
      build.kill('SIGCONT');
    }
    // A wakes, reads its file (SHIP: pending, written by the approval): that edit was made on a
    // status that has moved on since (complete), so it is not taken; A says so and ends.
    expect(await ended(build, 90_000), build.output()).toBe(0);
    expect(build.output()).toMatch(/SHIP: .*not taken/);
    expect((await query<{ status: string }>(url, `SELECT status FROM autonomous_loop.tasks WHERE task_id = 'SHIP'`))[0]?.status).toBe('complete');
    expect(readFileSync(shipLog, 'utf8').trim().split('\n')).toEqual(['shipped']);
    expect(JSON.parse(readFileSync(path.join(a ?? '', 'tasks', 'work_queue_p.json'), 'utf8')).features.map((t: { status: string }) => t.status)).toEqual(['complete', 'complete']);
  }, 180_000);

  it('status lists the runners: host, pid, labels, what each runs, last heartbeat; and each task its runner', async () => {
    const url = await freshDatabase();
    const [ws] = workspaces(1, { features: [task('BUSY', `sleep 20; echo '<promise>DONE</promise>'`)] });
    const run = startCli(['--project', 'p', '--database-url', url, '--labels', 'gpu'], { cwd: ws ?? '' });
    await poll(async () => (await query(url, `SELECT 1 FROM autonomous_loop.iterations WHERE task_id = 'BUSY' AND state = 'running'`)).length > 0, 60_000, 'BUSY to start');
    const status = startCli(['status', '--project', 'p', '--database-url', url, '--json'], { cwd: ws ?? '' });
    expect(await status.exited).toBe(0);
    const json = JSON.parse(status.output()) as { tasks: { id: string; runner: string | null }[]; runners: { runner_id: string; host: string; pid: number; labels: string[]; running: string[]; heartbeat_at: string; alive: boolean }[] };
    expect(json.runners).toHaveLength(1);
    expect(json.runners[0]).toMatchObject({ pid: run.pid, labels: ['gpu'], running: ['BUSY'], alive: true });
    expect(Date.now() - Date.parse(json.runners[0]?.heartbeat_at ?? '')).toBeLessThan(60_000);
    expect(json.tasks[0]?.runner).toBe(json.runners[0]?.runner_id);
    const text = startCli(['status', '--project', 'p', '--database-url', url], { cwd: ws ?? '' });
    expect(await text.exited).toBe(0);
    expect(text.output()).toMatch(new RegExp(`runners:\\n  ● \\S+ pid ${run.pid}  labels gpu  running BUSY  heartbeat \\d+s ago`));
    expect(await run.exited, run.output()).toBe(0);
  }, 120_000);
});

