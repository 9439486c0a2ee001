import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../helpers/postgres-cluster.js';
import { makeWorkspace, readJson, removeWorkspaces, startCli, waitFor, writeQueue } from '../helpers/workspace.js';

// A cluster of its own: this test stops its server mid-run (the shared one serves other files).
let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster();
}, 180_000);
afterAll(() => {
  cluster?.stop();
  removeWorkspaces();
});

async function database(): Promise<string> {
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  await admin.query('CREATE DATABASE lost');
  await admin.end();
  const url = new URL(cluster.url);
  url.pathname = '/lost';
  return url.toString();
}

describe('the state database lost mid-run', () => {
  it('the runner says so, tries again with backoff, and goes on when the database is back', async () => {
    const ws = makeWorkspace();
    const file = writeQueue(ws, 'p', {
      features: [
        {
          id: 'LONG',
          agent_type: 'command',
          max_iterations: 1,
          command: [process.execPath, '-e', "console.log('started'); setTimeout(() => { console.log('done'); console.log('<promise>TASK_COMPLETE</promise>'); }, 9000)"],
        },
        { id: 'NEXT', agent_type: 'noop', depends_on: ['LONG'] },
      ],
    });
    const url = await database();
    const run = startCli(['--project', 'p'], { cwd: ws, env: { AUTONOMOUS_LOOP_DATABASE_URL: url } });
    try {
      await waitFor(() => run.output().includes('started'), 30_000, 'the task to start');
      cluster.pause();
      await waitFor(() => /lost the connection to the state database/.test(run.output()), 20_000, 'the runner to say the database is lost').catch((e: Error) => {
        throw new Error(`${e.message}:\n${run.output()}`);
      });
      await new Promise((r) => setTimeout(r, 2000));
      cluster.resume();
      expect(await run.exited, run.output()).toBe(0);
      const out = run.output();
      expect(out).toMatch(/lost the connection to the state database postgres:\/\/loop:\*\*\*@127\.0\.0\.1:\d+\/lost \(.+\); (trying|listening for decisions) again in \d+\.\d s/);
      expect(out).toMatch(/the state database is back|listening for decisions again/);
      expect(out).not.toContain(new URL(url).password);
      expect(readJson(file).features.map((t: { status: string }) => t.status)).toEqual(['complete', 'complete']);
    } finally {
      run.kill('SIGKILL');
    }
  });
});
