import { copyFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeWorkspace, removeWorkspaces, repoRoot, runCli } from '../helpers/workspace.js';

afterEach(removeWorkspaces);

describe('a queue written by other people', () => {
  it('loads, plans, runs and writes back with every unknown field intact', () => {
    const ws = makeWorkspace();
    const file = path.join(ws, 'tasks', 'work_queue_karematch_features.json');
    copyFileSync(path.join(repoRoot, 'test/fixtures/queues/real-world.json'), file);
    const before = readFileSync(file, 'utf8');
    const plan = JSON.parse(runCli(['plan', '--project', 'karematch_features', '--json'], { cwd: ws }).stdout);
    expect(plan.waves).toEqual([
      { wave: 1, tasks: ['F002', 'F003'] },
      { wave: 2, tasks: ['F004'] },
    ]);
    expect(plan.done).toEqual([{ id: 'F001', status: 'complete' }]);
    // F002 requires approval (reasons given): --yes passes environment gates only, never a task's own
    const first = runCli(['--project', 'karematch_features', '--yes'], { cwd: ws });
    expect(first.code, first.stdout + first.stderr).toBe(3);
    expect(runCli(['approve', 'F002', '--project', 'karematch_features', '--by', 'ana', '--comment', 'touches PII; schema change'], { cwd: ws }).code).toBe(0);
    const run = runCli(['--project', 'karematch_features'], { cwd: ws });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const after = readFileSync(file, 'utf8');
    // the file's own spelling, "completed", is kept for the tasks the run finished
    expect(after).toBe(
      before
        .replace('"status": "pending"', '"status": "completed"')
        .replace('"requires_approval": false }', '"requires_approval": false, "status": "completed" }')
        .replace('"completion_promise": "F004 DONE"\n', '"completion_promise": "F004 DONE",\n      "status": "completed"\n'),
    );
    const decisions = runCli(['history', '--decisions', '--json'], { cwd: ws });
    expect(JSON.parse(decisions.stdout).decisions[0]).toMatchObject({ task_id: 'F002', decision: 'approve', reason: 'touches PII; schema change' });
  });
});
