import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { makeWorkspace, readJson, removeWorkspaces, startCli, waitFor, writeQueue } from '../helpers/workspace.js';

const started: { cli: ChildProcess; release: string }[] = [];
afterEach(async () => {
  // A failed expectation leaves no run (nor its task) behind.
  for (const { cli, release } of started.splice(0)) {
    if (cli.exitCode === null) {
      writeFileSync(release, '');
      cli.kill('SIGTERM');
      await new Promise((r) => cli.once('close', r));
    }
  }
  removeWorkspaces();
});

// A waits for `release` (so the queue can be broken while it runs); B runs after A.
const waitingTask = (id: string, release: string, extra: Record<string, unknown> = {}) => ({
  id,
  description: `task ${id}`,
  agent_type: 'command',
  command: [process.execPath, '-e', `const f=require('fs');const t=setInterval(()=>{if(f.existsSync(${JSON.stringify(release)})){clearInterval(t);f.appendFileSync('runs.log','${id}\\n');console.log('<promise>DONE</promise>')}},30)`],
  completion_promise: 'DONE',
  ...extra,
});

describe('a queue saved as invalid JSON mid-run', () => {
  it('is said on screen (file, where), the last good queue runs on, and the run ends with exit 5 when statuses cannot be written back', async () => {
    const ws = makeWorkspace();
    const release = path.join(ws, 'release');
    const file = writeQueue(ws, 'p', { project: 'p', features: [waitingTask('A', release), waitingTask('B', release, { depends_on: ['A'] })] });
    const cli = startCli(['--project', 'p', '--non-interactive'], { cwd: ws });
    started.push({ cli, release });
    await waitFor(() => readJson(file).features[0].status === 'in_progress', 20_000, 'A in_progress written');
    const broken = readFileSync(file, 'utf8').replace('"features": [', '"features": [,');
    writeFileSync(file, broken);
    await waitFor(() => /queue file .*invalid/i.test(cli.output()), 10_000, 'the invalid queue said on screen');
    writeFileSync(release, '');
    const code = await cli.exited;
    const out = cli.output();
    // Said once, naming the file and where in it.
    expect(out).toMatch(/work_queue_p\.json/);
    expect(out).toMatch(/line \d+/);
    expect(out.match(/queue file edited into an invalid state/g)?.length).toBe(1);
    // The last good queue kept in use: B (only in it) ran after A.
    expect(readFileSync(path.join(ws, 'runs.log'), 'utf8').trim().split('\n')).toEqual(['A', 'B']);
    // Never a silent exit 0: the statuses could not be written back.
    expect(code, out).toBe(5);
    expect(out).toMatch(/could not write .*statuses.*work_queue_p\.json/i);
    expect(readFileSync(file, 'utf8')).toBe(broken); // the person's file is not replaced
  }, 60_000);

  it('fixed before the run ends: the statuses are written and the run ends 0', async () => {
    const ws = makeWorkspace();
    const release = path.join(ws, 'release');
    const file = writeQueue(ws, 'p', { project: 'p', features: [waitingTask('A', release)] });
    const good = () => readFileSync(file, 'utf8');
    const cli = startCli(['--project', 'p', '--non-interactive'], { cwd: ws });
    started.push({ cli, release });
    await waitFor(() => readJson(file).features[0].status === 'in_progress', 20_000, 'A in_progress written');
    const text = good();
    writeFileSync(file, text.replace('"features": [', '"features": [,'));
    await waitFor(() => /queue file .*invalid/i.test(cli.output()), 10_000, 'the invalid queue said on screen');
    writeFileSync(file, text);
    await new Promise((r) => setTimeout(r, 500));
    writeFileSync(release, '');
    const code = await cli.exited;
    expect(code, cli.output()).toBe(0);
    expect(readJson(file).features[0].status).toBe('complete');
    expect(existsSync(path.join(ws, 'runs.log'))).toBe(true);
  }, 60_000);
});
