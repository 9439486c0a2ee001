import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/state/open-store.js';
import { freshDatabase } from '../helpers/postgres.js';
import { makeWorkspace, readJson, removeWorkspaces, runCli, startCli, writeQueue } from '../helpers/workspace.js';

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
