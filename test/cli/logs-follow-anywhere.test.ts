import { afterEach, describe, expect, it } from 'vitest';
import { freshDatabase } from '../helpers/postgres.js';
import { makeWorkspace, removeWorkspaces, startCli, waitFor, writeQueue } from '../helpers/workspace.js';

afterEach(removeWorkspaces);

const ticking = [
  process.execPath,
  '-e',
  "let i = 0; const t = setInterval(() => { console.log('tick ' + ++i); if (i === 6) { clearInterval(t); console.log('<promise>TASK_COMPLETE</promise>'); } }, 400);",
];

describe('logs TASK --follow from another machine (the output is in the database)', () => {
  it('follows a command task running on machine A from machine B, line by line, to its end', async () => {
    const a = makeWorkspace();
    const b = makeWorkspace();
    const queue = { features: [{ id: 'TICK', agent_type: 'command', command: ticking, max_iterations: 1 }] };
    writeQueue(a, 'p', queue);
    writeQueue(b, 'p', queue);
    const env = { AUTONOMOUS_LOOP_DATABASE_URL: await freshDatabase() };
    const run = startCli(['--project', 'p'], { cwd: a, env });
    let follow: ReturnType<typeof startCli> | undefined;
    try {
      await waitFor(() => run.output().includes('tick 1'), 30_000, 'the task to start on A');
      follow = startCli(['logs', 'TICK', '--project', 'p', '--follow'], { cwd: b, env });
      expect(await follow.exited, follow.output()).toBe(0);
      expect(await run.exited).toBe(0);
      const lines = follow.output().split('\n');
      // Every line, in order, though B has no log file of its own.
      expect(lines.filter((l) => /^tick \d$/.test(l))).toEqual(['tick 1', 'tick 2', 'tick 3', 'tick 4', 'tick 5', 'tick 6']);
      expect(follow.output()).toMatch(/── TICK iteration 1: PASS, promise kept/);
    } finally {
      run.kill('SIGKILL');
      follow?.kill('SIGKILL');
    }
  });
});
