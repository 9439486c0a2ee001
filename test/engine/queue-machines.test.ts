import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/state/open-store.js';
import { freshDatabase } from '../helpers/postgres.js';
import { makeWorkspace, readJson, removeWorkspaces, runCli, startCli, waitFor, writeQueue } from '../helpers/workspace.js';
import { onPostgres } from '../helpers/test-store.js';

afterEach(removeWorkspaces);

type Task = { id: string; status?: string; description?: string; [k: string]: unknown };
const statuses = (file: string): Record<string, string> => Object.fromEntries(readJson(file).features.map((t: Task) => [t.id, t.status ?? 'pending']));
/** A person's edit of a queue file: read, change, save. */
function edit(file: string, change: (tasks: Task[]) => void): void {
  const queue = readJson(file);
  change(queue.features);
  writeFileSync(file, `${JSON.stringify(queue, null, 2)}\n`);
}

// Two machines: each its own checkout (workspace and queue file), one database.
async function twoMachines(queue: unknown): Promise<{ a: string; b: string; fileA: string; fileB: string; env: Record<string, string> }> {
  const a = makeWorkspace();
  const b = makeWorkspace();
  return { a, b, fileA: writeQueue(a, 'p', queue), fileB: writeQueue(b, 'p', queue), env: { AUTONOMOUS_LOOP_DATABASE_URL: await freshDatabase() } };
}

async function storedDescriptions(env: Record<string, string>): Promise<Record<string, unknown>> {
  const store = await openStore('', { databaseUrl: env.AUTONOMOUS_LOOP_DATABASE_URL });
  try {
    return Object.fromEntries((await store.storedQueue('p')).tasks.map((t) => [t.task_id, (JSON.parse(t.definition) as Task).description]));
  } finally {
    await store.close();
  }
}

const gated = { features: [{ id: 'GATED', agent_type: 'noop', requires_approval: ['look first'] }, { id: 'T', agent_type: 'noop' }] };

describe('the queue file on several machines: each machine its own record of its file', () => {
  it("approve on machine B, whose file A never wrote, reports the status before as the store has it (not B's file as a person's edit)", async () => {
    const { a, b, env } = await twoMachines(gated);
    expect(runCli(['--project', 'p', '--non-interactive'], { cwd: a, env }).code).toBe(3);
    const status = JSON.parse(runCli(['status', '--project', 'p', '--json', '--no-probe'], { cwd: b, env }).stdout);
    expect(status.tasks.map((t: Task) => [t.id, t.status])).toEqual([
      ['GATED', 'awaiting_approval'],
      ['T', 'complete'],
    ]);
    const approve = runCli(['approve', 'GATED', '--by', 'ana', '--json'], { cwd: b, env });
    expect(approve.code, approve.stderr).toBe(0);
    expect(JSON.parse(approve.stdout)).toMatchObject({ recorded: true, status_before: 'awaiting_approval', status: 'pending' });
  });

  it("a runner started later on B takes the store's statuses over its stale file, and a person's edit made in B's file while no runner ran", async () => {
    const x = { id: 'X', agent_type: 'command', max_iterations: 1, command: [process.execPath, '-e', "if (process.env.OK) console.log('<promise>TASK_COMPLETE</promise>'); else process.exit(1)"] };
    const { a, b, fileA, fileB, env } = await twoMachines({ features: [x, { id: 'T', agent_type: 'noop' }] });
    // B runs first: X fails, T completes; B's file says so.
    expect(runCli(['--project', 'p', '--non-interactive'], { cwd: b, env }).code).toBe(1);
    expect(statuses(fileB)).toEqual({ X: 'failed', T: 'complete' });
    // A runs (its file takes the store's statuses), then a person on A asks for X again, and it completes there.
    expect(runCli(['--project', 'p', '--non-interactive'], { cwd: a, env }).code).toBe(1);
    expect(statuses(fileA)).toEqual({ X: 'failed', T: 'complete' });
    edit(fileA, (tasks) => void (tasks[0]!.status = 'pending'));
    expect(runCli(['--project', 'p', '--non-interactive'], { cwd: a, env: { ...env, OK: '1' } }).code).toBe(0);
    expect(statuses(fileA)).toEqual({ X: 'complete', T: 'complete' });
    // B's file still says X failed (B's own last write). A person on B asks for T again, while no runner runs there.
    edit(fileB, (tasks) => void (tasks[1]!.status = 'pending'));
    const run = runCli(['--project', 'p', '--non-interactive', '--json'], { cwd: b, env });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    // X's stale 'failed' in B's file was B's own write, not a person's: not taken; T's edit was.
    expect(statuses(fileB)).toEqual({ X: 'complete', T: 'complete' });
    const started = run.stdout.split('\n').filter((l) => l.includes('"task:start"'));
    expect(started.map((l) => (JSON.parse(l) as { taskId: string }).taskId)).toEqual(['T']);
    const status = JSON.parse(runCli(['status', '--project', 'p', '--json', '--no-probe'], { cwd: b, env }).stdout);
    expect(status.tasks.map((t: Task) => [t.id, t.status])).toEqual([
      ['X', 'complete'],
      ['T', 'complete'],
    ]);
  });
});

/** A push that waits 4 s between reading the store's revision and swapping it; `paused` resolves once it waits. */
function pausedPush(cwd: string, env: Record<string, string>, args: string[] = []): ReturnType<typeof startCli> & { paused: Promise<void> } {
  const trace = path.join(cwd, 'push-trace.txt');
  const child = startCli(['push', '--project', 'p', ...args], { cwd, env: { ...env, AUTONOMOUS_LOOP_PAUSE_AT: 'queue:before-swap:4000', AUTONOMOUS_LOOP_CRASH_TRACE: trace } });
  const paused = waitFor(() => existsSync(trace) && readFileSync(trace, 'utf8').includes('queue:before-swap:paused'), 30_000, 'the push to read the revision');
  return Object.assign(child, { paused });
}

const three = { features: ['T1', 'T2', 'T3'].map((id) => ({ id, agent_type: 'noop', description: `${id} as first written` })) };

describe('push: a person\'s edit of a queue file into the store, compare-and-swap on its revision', () => {
  it('two pushes at once: the one that lost the swap merges again; both machines\' edits land', async () => {
    const { a, b, fileA, fileB, env } = await twoMachines(three);
    expect(runCli(['push', '--project', 'p'], { cwd: a, env }).stdout).toMatch(/revision 1 \(added or changed: T1, T2, T3\)/);
    expect(runCli(['push', '--project', 'p'], { cwd: b, env }).stdout).toMatch(/no definition to push; .* revision 1/);
    edit(fileA, (tasks) => void (tasks[0]!.description = 'T1 fixed on A'));
    edit(fileB, (tasks) => void (tasks[1]!.description = 'T2 fixed on B'));
    // B reads revision 1, then waits 3 s before its swap; A pushes meanwhile.
    const slow = pausedPush(b, env, ['--json']);
    await slow.paused;
    const fast = runCli(['push', '--project', 'p', '--json'], { cwd: a, env });
    expect(fast.code, fast.stderr).toBe(0);
    expect(JSON.parse(fast.stdout)).toMatchObject({ revision: 2, pushed: ['T1'], retries: 0 });
    expect(await slow.exited, slow.output()).toBe(0);
    const lost = JSON.parse(slow.output());
    expect(lost).toMatchObject({ revision: 3, pushed: ['T2'], retries: 1, not_taken: [] });
    expect(await storedDescriptions(env)).toEqual({ T1: 'T1 fixed on A', T2: 'T2 fixed on B', T3: 'T3 as first written' });
    // Each file lacks the other's edit until a person takes it (git pull): named, each side behind.
    expect(lost.conflicts.map((c: { task_id: string; message: string }) => [c.task_id, /\(the one runners run\) and .*\(not edited there since: behind\)|\(not edited there since: behind\) and .*\(the one runners run\)/.test(c.message)])).toEqual([
      ['T1', true],
      ['T2', true],
    ]);
    edit(fileA, (tasks) => void (tasks[1]!.description = 'T2 fixed on B'));
    edit(fileB, (tasks) => void (tasks[0]!.description = 'T1 fixed on A'));
    expect(JSON.parse(runCli(['push', '--project', 'p', '--json'], { cwd: a, env }).stdout).conflicts.map((c: { task_id: string }) => c.task_id)).toEqual(['T1']);
    expect(JSON.parse(runCli(['push', '--project', 'p', '--json'], { cwd: b, env }).stdout)).toMatchObject({ pushed: [], conflicts: [] });
  });

  it('two machines change one task differently: never last-writer-wins — the loser says so, status names the conflict on both, one edit and a push settle it', async () => {
    const { a, b, fileA, fileB, env } = await twoMachines(three);
    for (const ws of [a, b]) expect(runCli(['push', '--project', 'p'], { cwd: ws, env }).code).toBe(0);
    edit(fileA, (tasks) => void (tasks[2]!.description = 'T3 as A wants it'));
    edit(fileB, (tasks) => void (tasks[2]!.description = 'T3 as B wants it'));
    const slow = pausedPush(b, env);
    await slow.paused;
    expect(runCli(['push', '--project', 'p'], { cwd: a, env }).code).toBe(0);
    expect(await slow.exited).toBe(0);
    expect(slow.output()).toMatch(/! not taken: T3: its definition was changed on another machine/);
    expect(slow.output()).toMatch(/! conflict: T3: the queue files of several machines disagree on its definition \(description\)/);
    expect(await storedDescriptions(env)).toMatchObject({ T3: 'T3 as A wants it' });
    for (const ws of [a, b]) {
      const text = runCli(['status', '--project', 'p', '--no-probe'], { cwd: ws, env }).stdout;
      expect(text).toMatch(/queue conflicts between machines:\n {2}! T3: the queue files of several machines disagree on its definition \(description\): .*\((the one runners run|edited there, not taken)\) and .*\((the one runners run|edited there, not taken)\); make them agree — edit one file to match the other .* and run 'autonomous-loop push --project p.*' on that machine/);
      const json = JSON.parse(runCli(['status', '--project', 'p', '--json', '--no-probe'], { cwd: ws, env }).stdout);
      expect(json.conflicts.map((c: { task_id: string; fields: string[] }) => [c.task_id, c.fields])).toEqual([['T3', ['description']]]);
      expect(json.conflicts[0].files.map((f: { path: string; in_store: boolean }) => f.in_store).sort()).toEqual([false, true]);
    }
    // B takes A's version into its file (B wanting its own: edit A's file to B's and push on A).
    edit(fileB, (tasks) => void (tasks[2]!.description = 'T3 as A wants it'));
    expect(runCli(['push', '--project', 'p'], { cwd: b, env }).stdout).not.toMatch(/conflict/);
    expect(JSON.parse(runCli(['status', '--project', 'p', '--json', '--no-probe'], { cwd: a, env }).stdout).conflicts).toEqual([]);
  });

  it("a task added on B joins A's run (A's file is not given it); B's description edit makes A's file a conflict on A's screen; a status set by hand in B's file is taken by push", async () => {
    const slow = { id: 'SLOW', agent_type: 'command', command: [process.execPath, '-e', "setTimeout(() => console.log('<promise>TASK_COMPLETE</promise>'), 6000)"] };
    const { a, b, fileA, fileB, env } = await twoMachines({ features: [slow, { id: 'DONE', agent_type: 'noop' }] });
    // B's file once agreed with the store (a first push): from then on B's edits are told from a stale copy.
    expect(runCli(['push', '--project', 'p'], { cwd: b, env }).code).toBe(0);
    const run = startCli(['--project', 'p', '--non-interactive'], { cwd: a, env });
    try {
      await new Promise<void>((resolve) => {
        const t = setInterval(() => {
          if (run.output().includes('SLOW') || statuses(fileA).DONE === 'complete') (clearInterval(t), resolve());
        }, 100);
      });
      edit(fileB, (tasks) => {
        tasks.push({ id: 'NEW', agent_type: 'noop', description: 'added on B' });
        tasks[0]!.description = 'SLOW, described on B';
      });
      const push = runCli(['push', '--project', 'p'], { cwd: b, env });
      expect(push.stdout).toMatch(/added or changed: SLOW, NEW/);
      expect(await run.exited, run.output()).toBe(0);
      expect(run.output()).toMatch(/NEW/);
      expect(run.output()).toMatch(/! queue conflict: SLOW: the queue files of several machines disagree on its definition \(description\)/);
      expect(statuses(fileA)).toEqual({ SLOW: 'complete', DONE: 'complete' });
      const status = JSON.parse(runCli(['status', '--project', 'p', '--json', '--no-probe'], { cwd: b, env }).stdout);
      expect(status.tasks.map((t: Task) => [t.id, t.status])).toEqual([
        ['SLOW', 'complete'],
        ['DONE', 'complete'],
        ['NEW', 'complete'],
      ]);
      // A person on B sets NEW back to blocked: B's file said pending since B's push (B's own record), so this
      // is an edit, made on a status that has changed since (A ran NEW): said and not taken the first time;
      // pushed again, the person has been told, and it is taken.
      edit(fileB, (tasks) => void (tasks[2]!.status = 'blocked'));
      expect(runCli(['push', '--project', 'p'], { cwd: b, env }).stdout).toMatch(/not taken: NEW: its status 'blocked' was set on 'pending', which has changed since \('complete' now\)/);
      expect(runCli(['push', '--project', 'p'], { cwd: b, env }).stdout).toMatch(/status taken: NEW: complete → blocked/);
      // A's status lists NEW too (added on B, not in A's file), with the status B's person set.
      const after = JSON.parse(runCli(['status', '--project', 'p', '--json', '--no-probe'], { cwd: a, env }).stdout);
      expect(after.tasks.map((t: Task) => [t.id, t.status, t.not_in_this_file ?? false])).toEqual([
        ['SLOW', 'complete', false],
        ['DONE', 'complete', false],
        ['NEW', 'blocked', true],
      ]);
      expect(runCli(['status', '--project', 'p', '--no-probe'], { cwd: a, env }).stdout).toMatch(/NEW +blocked .*added on another machine: not in this machine's file/);
      expect(after.conflicts.map((c: { task_id: string }) => c.task_id)).toEqual(['SLOW']);
    } finally {
      run.kill('SIGKILL');
    }
  });
});

describe("a description fixed on another machine reaches the running task's next iteration", () => {
  it('B fixes the prompt and pushes; the runner on A takes it at its next iteration; A\'s file keeps its own text and is named behind', async () => {
    const script = "let s='';process.stdin.on('data',(d)=>(s+=d)).on('end',()=>{if(s.includes('FIXED'))console.log('<promise>TASK_COMPLETE</promise>');else setTimeout(()=>process.exit(1),1000)})";
    const fix = { id: 'FIX', description: 'not yet', agent_type: 'command', max_iterations: 40, command: [process.execPath, '-e', script] };
    const { a, b, fileA, fileB, env } = await twoMachines({ features: [fix] });
    expect(runCli(['push', '--project', 'p'], { cwd: b, env }).code).toBe(0);
    const run = startCli(['--project', 'p', '--non-interactive'], { cwd: a, env });
    try {
      await waitFor(() => /FIX iteration 2/.test(run.output()), 60_000, 'a second iteration on A');
      edit(fileB, (tasks) => void (tasks[0]!.description = 'FIXED on B'));
      expect(runCli(['push', '--project', 'p'], { cwd: b, env }).stdout).toMatch(/added or changed: FIX/);
      expect(await run.exited, run.output()).toBe(0);
      expect(run.output()).toMatch(/FIX iteration \d+: PASS, promise kept/);
      expect(readJson(fileA).features[0]).toMatchObject({ description: 'not yet', status: 'complete' });
      const conflicts = JSON.parse(runCli(['status', '--project', 'p', '--json', '--no-probe'], { cwd: a, env }).stdout).conflicts;
      expect(conflicts.map((c: { task_id: string; files: { behind: boolean; in_store: boolean }[] }) => [c.task_id, c.files.map((f) => [f.in_store, f.behind]).sort()])).toEqual([
        [
          'FIX',
          [
            [false, true],
            [true, false],
          ],
        ],
      ]);
    } finally {
      run.kill('SIGKILL');
    }
  });
});

describe('a machine gone for good', () => {
  it('its file, behind, is named in a conflict until a person forgets it (forget-file, recorded); pushed again, it is recorded afresh', async () => {
    const { a, b, fileB, env } = await twoMachines({ features: [{ id: 'T', agent_type: 'noop', description: 'one' }] });
    for (const ws of [a, b]) expect(runCli(['push', '--project', 'p'], { cwd: ws, env }).code).toBe(0);
    edit(fileB, (tasks) => void (tasks[0]!.description = 'two'));
    expect(runCli(['push', '--project', 'p'], { cwd: b, env }).code).toBe(0);
    // A is gone: its file never changes again, and stays behind.
    const conflicts = (): { message: string; files: { host: string; path: string; behind: boolean }[] }[] => JSON.parse(runCli(['status', '--project', 'p', '--json', '--no-probe'], { cwd: b, env }).stdout).conflicts;
    const [conflict] = conflicts();
    expect(conflict?.message).toMatch(/\(not edited there since: behind\).*; a machine gone for good: 'autonomous-loop forget-file <host:path> --project p'$/);
    const gone = conflict!.files.find((f) => f.behind)!;
    const key = `${gone.host}:${gone.path}`;
    expect(gone.path.startsWith(realpathSync(a))).toBe(true);

    const own = conflict!.files.find((f) => !f.behind)!;
    expect(runCli(['forget-file', `${own.host}:${own.path}`, '--project', 'p'], { cwd: b, env })).toMatchObject({ code: 2, stderr: expect.stringContaining("is this machine's own queue file") });
    const forgot = runCli(['forget-file', key, '--project', 'p'], { cwd: b, env });
    expect(forgot.code, forgot.stderr).toBe(0);
    expect(forgot.stdout).toContain(`forgot ${key} (project p)`);
    expect(conflicts()).toEqual([]);
    expect(runCli(['forget-file', key, '--project', 'p'], { cwd: b, env })).toMatchObject({ code: 2, stderr: expect.stringContaining(`no queue file '${key}' of project p in the database (files: ${own.host}:${own.path})`) });
    const client = new pg.Client({ connectionString: env.AUTONOMOUS_LOOP_DATABASE_URL });
    await client.connect();
    try {
      const rows = (await client.query("SELECT data FROM autonomous_loop.events WHERE project = 'p' AND type = 'queue:file-forgotten'")).rows as { data: string }[];
      expect(rows.map((r) => JSON.parse(r.data))).toEqual([{ file: key }]);
    } finally {
      await client.end();
    }
    // The machine was not gone after all: its next push records its file afresh; its old text is named, not taken.
    expect(runCli(['push', '--project', 'p'], { cwd: a, env }).code).toBe(0);
    expect(await storedDescriptions(env)).toEqual({ T: 'two' });
    expect(conflicts().map((c) => c.message)).toEqual([expect.stringMatching(/^T: .*\(edited there, not taken\).*\(the one runners run\)|^T: .*\(the one runners run\).*\(edited there, not taken\)/)]);
  });
});

// SQLite by nature (one machine's file is the queue): skipped under TEST_STORE=postgres.
describe.skipIf(onPostgres())('one machine (SQLite): as before [SQLite only: one machine, its file is the queue]', () => {
  it('push takes a status set by hand and a changed description; a queue file at another path is the queue, never a conflict', async () => {
    const ws = makeWorkspace();
    const file = writeQueue(ws, 'p', { features: [{ id: 'X', agent_type: 'noop', description: 'one' }] });
    expect(runCli(['--project', 'p', '--non-interactive'], { cwd: ws }).code).toBe(0);
    edit(file, (tasks) => {
      tasks[0]!.status = 'pending';
      tasks[0]!.description = 'two';
    });
    const push = runCli(['push', '--project', 'p'], { cwd: ws });
    expect(push.stdout).toMatch(/revision 2 \(added or changed: X\)\nstatus taken: X: complete → pending/);
    const other = path.join(ws, 'elsewhere.json');
    writeFileSync(other, JSON.stringify({ project: 'p', features: [{ id: 'X', agent_type: 'noop', description: 'three' }] }));
    const run = runCli(['--project', 'p', '--queue', other, '--non-interactive'], { cwd: ws });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout + run.stderr).not.toMatch(/conflict/);
    expect(JSON.parse(runCli(['status', '--project', 'p', '--json', '--no-probe'], { cwd: ws }).stdout).conflicts).toEqual([]);
  });

  it('forget-file: there is no other machine to forget (exit 2, said)', () => {
    const ws = makeWorkspace();
    writeQueue(ws, 'p', { features: [{ id: 'A', agent_type: 'noop' }] });
    expect(runCli(['--project', 'p', '--non-interactive'], { cwd: ws }).code).toBe(0);
    expect(runCli(['forget-file', 'old:/x/tasks/work_queue_p.json', '--project', 'p'], { cwd: ws })).toMatchObject({ code: 2, stderr: expect.stringContaining("the state store is this machine's (SQLite)") });
  });

  it('a task removed from the file is gone from status, never "added on another machine"', async () => {
    const ws = makeWorkspace();
    const file = writeQueue(ws, 'p', { features: [{ id: 'A', agent_type: 'noop' }, { id: 'B', agent_type: 'noop' }] });
    expect(runCli(['--project', 'p', '--non-interactive'], { cwd: ws }).code).toBe(0);
    edit(file, (tasks) => void tasks.pop());
    const status = runCli(['status', '--project', 'p', '--json', '--no-probe'], { cwd: ws });
    expect(JSON.parse(status.stdout).tasks.map((t: Task) => [t.id, t.not_in_this_file ?? false])).toEqual([['A', false]]);
  });
});

describe('a status set by hand on a status that changed since', () => {
  it('push does not take it (another machine finished the task meanwhile): said, not taken, the task stays complete', async () => {
    const { a, b, fileA, env } = await twoMachines(gated);
    expect(runCli(['--project', 'p', '--non-interactive'], { cwd: a, env }).code).toBe(3);
    expect(runCli(['approve', 'GATED', '--project', 'p', '--by', 'ana'], { cwd: b, env }).code).toBe(0);
    expect(runCli(['--project', 'p', '--non-interactive'], { cwd: b, env }).code).toBe(0);
    // A's file still says awaiting_approval; a person there sets it back to pending.
    edit(fileA, (tasks) => {
      tasks[0]!.status = 'pending';
    });
    const push = runCli(['push', '--project', 'p'], { cwd: a, env });
    expect(push.stdout).toMatch(/not taken: GATED: its status 'pending' was set on 'awaiting_approval', which has changed since \('complete' now\)/);
    const status = JSON.parse(runCli(['status', '--project', 'p', '--json', '--no-probe'], { cwd: b, env }).stdout);
    expect(status.tasks.map((t: Task) => [t.id, t.status])).toEqual([
      ['GATED', 'complete'],
      ['T', 'complete'],
    ]);
    // Told once, the person who pushes again means it: GATED goes back to pending (and asks for approval again when run).
    expect(runCli(['push', '--project', 'p'], { cwd: a, env }).stdout).toMatch(/status taken: GATED: complete → pending/);
  });
});

describe('a task removed on one machine', () => {
  it("is removed from the store's queue: the runner on B, whose file still has it, does not run it; B's file is named behind", async () => {
    const { a, b, fileA, env } = await twoMachines({ features: [{ id: 'KEEP', agent_type: 'noop' }, { id: 'GONE', agent_type: 'noop' }] });
    for (const ws of [a, b]) expect(runCli(['push', '--project', 'p'], { cwd: ws, env }).code).toBe(0);
    edit(fileA, (tasks) => void tasks.splice(1, 1));
    expect(runCli(['push', '--project', 'p'], { cwd: a, env }).stdout).toMatch(/added or changed: GONE/);
    const run = runCli(['--project', 'p', '--non-interactive', '--json'], { cwd: b, env });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const started = run.stdout.split('\n').filter((l) => l.includes('"task:start"')).map((l) => (JSON.parse(l) as { taskId: string }).taskId);
    expect(started).toEqual(['KEEP']);
    const conflicts = JSON.parse(runCli(['status', '--project', 'p', '--json', '--no-probe'], { cwd: a, env }).stdout).conflicts;
    expect(conflicts.map((c: { task_id: string; message: string }) => [c.task_id, /removed there; the one runners run|\(removed there\)/.test(c.message)])).toEqual([['GONE', true]]);
  });
});
