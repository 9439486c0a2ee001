import { afterEach, describe, expect, it } from 'vitest';
import { freshDatabase } from '../helpers/postgres.js';
import { makeWorkspace, readJson, removeWorkspaces, runCli, startCli, waitFor, writeQueue } from '../helpers/workspace.js';

afterEach(removeWorkspaces);

const queue = { features: [{ id: 'GATED', agent_type: 'noop', requires_approval: ['look first'] }, { id: 'AFTER', agent_type: 'noop', depends_on: ['GATED'] }] };
const statuses = (file: string): string[] => readJson(file).features.map((t: { status: string }) => t.status);

// Two machines: each its own checkout (workspace and queue file), one database.
async function twoMachines(): Promise<{ a: string; b: string; fileA: string; fileB: string; env: Record<string, string> }> {
  const a = makeWorkspace();
  const b = makeWorkspace();
  return { a, b, fileA: writeQueue(a, 'p', queue), fileB: writeQueue(b, 'p', queue), env: { AUTONOMOUS_LOOP_DATABASE_URL: await freshDatabase() } };
}

describe('people anywhere: a decision on one machine reaches the runner on another (LISTEN/NOTIFY)', () => {
  it("approve on machine B: the run waiting on machine A takes it, runs the gated task and its dependent, and writes A's file", async () => {
    const { a, b, fileA, env } = await twoMachines();
    const run = startCli(['--project', 'p', '--wait'], { cwd: a, env });
    try {
      await waitFor(() => run.output().includes('waiting for a decision on GATED'), 30_000, 'the run on A to wait');
      const approve = runCli(['approve', 'GATED', '--by', 'ana'], { cwd: b, env });
      expect(approve.code, approve.stderr).toBe(0);
      // A's queue file was never touched by B: only the database's signal can wake A.
      expect(await run.exited).toBe(0);
      expect(run.output()).toMatch(/GATED: approve by ana in another shell or on another machine: awaiting_approval → pending/);
      expect(statuses(fileA)).toEqual(['complete', 'complete']);
    } finally {
      run.kill('SIGKILL');
    }
  });

  it('reject on machine B: the task is blocked on A, its dependent skipped, exit 1', async () => {
    const { a, b, fileA, env } = await twoMachines();
    const run = startCli(['--project', 'p', '--wait'], { cwd: a, env });
    try {
      await waitFor(() => run.output().includes('waiting for a decision on GATED'), 30_000, 'the run on A to wait');
      expect(runCli(['reject', 'GATED', '--by', 'bob', '--comment', 'not now'], { cwd: b, env }).code).toBe(0);
      expect(await run.exited).toBe(1);
      expect(statuses(fileA)).toEqual(['blocked', 'skipped']);
    } finally {
      run.kill('SIGKILL');
    }
  });

  it('without --wait, a run still busy takes an approval given elsewhere and runs the gated task in the same run', async () => {
    const { a, b, fileA, env } = await twoMachines();
    const slow = { features: [...queue.features, { id: 'SLOW', agent_type: 'command', command: [process.execPath, '-e', "setTimeout(() => console.log('<promise>TASK_COMPLETE</promise>'), 4000)"] }] };
    const fileA2 = writeQueue(a, 'p', slow);
    writeQueue(b, 'p', slow);
    const run = startCli(['--project', 'p', '--concurrency', '2'], { cwd: a, env });
    try {
      await waitFor(() => /GATED.*(waiting|approval)/i.test(run.output()), 30_000, 'the gate on A');
      expect(runCli(['approve', 'GATED', '--by', 'ana'], { cwd: b, env }).code).toBe(0);
      expect(await run.exited, run.output()).toBe(0);
      expect(fileA2).toBe(fileA);
      expect(statuses(fileA)).toEqual(['complete', 'complete', 'complete']);
    } finally {
      run.kill('SIGKILL');
    }
  });
});
