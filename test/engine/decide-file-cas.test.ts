import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeWorkspace, readJson, removeWorkspaces, runCli, startCli, waitFor, writeQueue } from '../helpers/workspace.js';

afterEach(removeWorkspaces);

type Task = { id: string; status?: string };

// `reject` (or approve, override) from another shell writes the task's status into the queue file
// while the run may be writing its own statuses there. CI saw the run's last write (a dependent
// `skipped`) undone by the decision's write of a copy read a moment before.
describe("a decision's write into the queue file", () => {
  it("never puts back an older copy: another writer's change made between its read and its write stays", async () => {
    const ws = makeWorkspace();
    const file = writeQueue(ws, 'p', { features: [{ id: 'G', agent_type: 'noop', requires_approval: ['look first'] }, { id: 'T', agent_type: 'noop' }] });
    expect(runCli(['--project', 'p', '--non-interactive'], { cwd: ws }).code).toBe(3);
    const trace = path.join(ws, 'trace.txt');
    const reject = startCli(['reject', 'G', '--by', 'bob', '--comment', 'not today'], { cwd: ws, env: { AUTONOMOUS_LOOP_PAUSE_AT: 'decide:file-read:3000', AUTONOMOUS_LOOP_CRASH_TRACE: trace } });
    await waitFor(() => existsSync(trace) && readFileSync(trace, 'utf8').includes('decide:file-read:paused'), 30_000, 'the decision to read the queue file');
    // Another writer (a run's write-back) saves the file while the decision holds its copy.
    const queue = readJson(file);
    queue.features.find((t: Task) => t.id === 'T').status = 'skipped';
    writeFileSync(file, `${JSON.stringify(queue, null, 2)}\n`);
    expect(await reject.exited, reject.output()).toBe(0);
    expect(Object.fromEntries(readJson(file).features.map((t: Task) => [t.id, t.status]))).toEqual({ G: 'blocked', T: 'skipped' });
  });
});
