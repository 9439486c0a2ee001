import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freshDatabase } from '../helpers/postgres.js';
import { makeWorkspace, removeWorkspaces, runCli, startCli, waitFor, writeQueue } from '../helpers/workspace.js';
import { demoPorts, makeTempWorkspace, removeDemoWorkspaces, writeDemoProject } from '../agents/helpers/demo-workspace.js';

afterEach(async () => {
  removeWorkspaces();
  await removeDemoWorkspaces();
});

// LONG runs until the test lets it go (a file appears in the runner's workspace); GATED waits at its gate.
const queue = (release: string): unknown => ({
  features: [
    {
      id: 'LONG',
      agent_type: 'command',
      max_iterations: 1,
      command: [process.execPath, '-e', `const fs = require('fs'); console.log('started'); const t = setInterval(() => { if (fs.existsSync(${JSON.stringify(release)})) { clearInterval(t); console.log('<promise>TASK_COMPLETE</promise>'); } }, 100);`],
    },
    { id: 'GATED', agent_type: 'noop', requires_approval: ['look first'] },
  ],
});

// SQLite: one machine, the other shell is the same workspace. PostgreSQL: another checkout, one database.
describe.each([
  ['sqlite', false],
  ['postgres', true],
] as const)('a loop running, seen from another shell or machine (%s)', (_name, shared) => {
  it('status names the runner, approve says the running loop takes it, revert is refused, logs --follow keeps following', async () => {
    const a = makeWorkspace();
    const b = shared ? makeWorkspace() : a;
    const release = path.join(a, 'release');
    writeQueue(a, 'p', queue(release));
    if (b !== a) writeQueue(b, 'p', queue(release));
    const env: Record<string, string> = shared ? { AUTONOMOUS_LOOP_DATABASE_URL: await freshDatabase() } : {};
    const run = startCli(['--project', 'p', '--concurrency', '2'], { cwd: a, env });
    try {
      await waitFor(() => run.output().includes('started') && /GATED.*(waiting|approval)/i.test(run.output()), 60_000, 'LONG to start and GATED to wait');

      const status = runCli(['status', '--project', 'p', '--json'], { cwd: b, env });
      expect(status.code, status.stderr).toBe(0);
      expect(JSON.parse(status.stdout).running).toMatchObject({ pid: run.pid });
      expect(runCli(['status', '--project', 'p'], { cwd: b, env }).stdout).toContain(`running: pid ${run.pid}`);

      const follow = startCli(['logs', 'LONG', '--project', 'p', '--follow'], { cwd: b, env });
      const revert = runCli(['revert', 'LONG', '--project', 'p', '--iteration', '1', '--by', 'ana', '--yes'], { cwd: b, env });
      expect(revert.code).toBe(2);
      expect(revert.stderr).toContain(`project 'p' is being run (pid ${run.pid}`);

      const approve = runCli(['approve', 'GATED', '--project', 'p', '--by', 'ana'], { cwd: b, env });
      expect(approve.code, approve.stderr).toBe(0);
      expect(approve.stdout).toContain(`the run going on now (pid ${run.pid}`);

      // the task still runs on A: following it does not stop
      await waitFor(() => follow.output().includes('started'), 30_000, 'logs --follow to show the output');
      let followEnded = false;
      void follow.exited.then(() => (followEnded = true));
      await new Promise((r) => setTimeout(r, 1500));
      expect(followEnded, follow.output()).toBe(false);

      writeFileSync(release, '');
      expect(await run.exited, run.output()).toBe(0);
      expect(await follow.exited, follow.output()).toBe(0);
      expect(JSON.parse(runCli(['status', '--project', 'p', '--json'], { cwd: b, env }).stdout).running).toBeNull();
    } finally {
      run.kill('SIGKILL');
    }
  }, 180_000);
});

describe('rollback while a runner runs the project on a shared database', () => {
  it('is refused, naming the runner; the runner takes no lock, so only its lease tells', async () => {
    const ws = makeTempWorkspace();
    writeDemoProject(ws, 'demo', await demoPorts());
    const release = path.join(ws.root, 'release');
    writeQueue(ws.root, 'demo', { features: [(queue(release) as { features: unknown[] }).features[0]] });
    const env = { AUTONOMOUS_LOOP_DATABASE_URL: await freshDatabase() };
    const run = startCli(['--project', 'demo'], { cwd: ws.root, env });
    try {
      await waitFor(() => run.output().includes('started'), 60_000, 'LONG to start');
      const rollback = runCli(['rollback', '--project', 'demo', '--env', 'dev', '--to', '1.0.0', '--yes', '--root', ws.root], { cwd: ws.root, env });
      expect(rollback.code, rollback.stderr).toBe(2);
      expect(rollback.stderr).toContain(`project 'demo' is being run by another loop (pid ${run.pid}`);
      writeFileSync(release, '');
      expect(await run.exited, run.output()).toBe(0);
    } finally {
      run.kill('SIGKILL');
    }
  }, 180_000);
});
