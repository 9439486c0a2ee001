import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { makeWorkspace, readJson, removeWorkspaces, runCli, writeQueue } from '../helpers/workspace.js';

afterAll(removeWorkspaces);

// The write-back wrote a status into the queue file, then recorded in the store that the file held
// it. A crash between the two, once the task had moved on in the store (finished), left the file
// holding a status the store's record did not know of: read on resume as a person's edit, and the
// finished task ran again (seen under PostgreSQL, whose round trip widens the window). Now the
// status is recorded first, with what the file held before it, then written, then recorded as
// written. Each window is held open here: the write-back pauses there, the task finishes
// meanwhile, and the loop is killed at the end of its iteration.
it.each([
  ['after the file was written, before the store knew', 'write-back:file-written', 'in_progress'],
  ['after the store was told, before the file was written', 'write-back:marked', 'pending'],
])('a crash %s never runs a finished task again', (_, point, inFile) => {
  const ws = makeWorkspace();
  const ran = path.join(ws, 'ran.txt');
  writeQueue(ws, 'p', {
    project: 'p',
    features: [{ id: 'T1', agent_type: 'command', command: ['sh', '-c', `sleep 1; echo run >> ${ran}; echo '<promise>DONE</promise>'`], completion_promise: 'DONE', max_iterations: 3 }],
  });
  const trace = path.join(ws, 'trace');
  const first = runCli(['--project', 'p'], {
    cwd: ws,
    env: { AUTONOMOUS_LOOP_PAUSE_AT: `${point}:4000`, AUTONOMOUS_LOOP_CRASH_AT: 'iteration:end#1', AUTONOMOUS_LOOP_CRASH_TRACE: trace },
  });
  expect(first.code, first.stdout + first.stderr).toBeNull(); // killed
  // The premise: the write-back was held there when the loop died, the file as it was left.
  expect(readFileSync(trace, 'utf8')).toContain(`${point}:paused`);
  expect(readJson(path.join(ws, 'tasks', 'work_queue_p.json')).features[0].status ?? 'pending').toBe(inFile);
  const again = runCli(['--project', 'p'], { cwd: ws });
  expect(again.code, again.stdout + again.stderr).toBe(0);
  expect(again.stdout).not.toMatch(/T1.*started/);
  expect(existsSync(ran) ? readFileSync(ran, 'utf8').trim().split('\n') : []).toEqual(['run']);
  expect(readJson(path.join(ws, 'tasks', 'work_queue_p.json')).features[0].status).toMatch(/^complete/);
}, 60_000);
