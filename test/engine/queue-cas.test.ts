import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fixture, makeWorkspace, readJson, removeWorkspaces, startCli, writeQueue } from '../helpers/workspace.js';

afterEach(removeWorkspaces);

// Each task appends its id to runs.log and keeps its promise after a short while.
const task = (i: number) => ({
  id: `T${String(i).padStart(2, '0')}`,
  description: `task ${i}`,
  agent_type: 'command',
  command: [process.execPath, '-e', `setTimeout(() => { require('fs').appendFileSync('runs.log', 'T${String(i).padStart(2, '0')}\\n'); console.log('<promise>DONE</promise>'); }, 120)`],
  completion_promise: 'DONE',
  ...(i > 0 ? { depends_on: [`T${String(i - 1).padStart(2, '0')}`] } : {}),
});

async function runWithWriter(mode: 'in-place' | 'rename'): Promise<{ written: number; lost: number; reruns: number; statuses: string[] }> {
  const ws = makeWorkspace();
  const file = writeQueue(ws, 'p', { project: 'p', features: Array.from({ length: 30 }, (_, i) => task(i)) });
  const stop = path.join(ws, 'stop');
  const writer = spawn(process.execPath, [fixture('queue-writer.mjs'), file, mode, stop], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  writer.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const writerDone = new Promise<void>((resolve) => writer.on('close', () => resolve()));
  const cli = startCli(['--project', 'p', '--non-interactive'], { cwd: ws });
  const code = await cli.exited;
  writeFileSync(stop, '');
  await writerDone;
  expect(code, cli.output()).toBe(0);
  const figures = JSON.parse(out.trim().split('\n').at(-1)!) as { written: number; lost: number };
  const runs = existsSync(path.join(ws, 'runs.log')) ? readFileSync(path.join(ws, 'runs.log'), 'utf8').trim().split('\n') : [];
  return { ...figures, reruns: runs.length - new Set(runs).size, statuses: readJson(file).features.map((t: { status: string }) => t.status) };
}

describe('queue edits made during a run survive the write-back', () => {
  for (const mode of ['in-place', 'rename'] as const) {
    it(`a writer saving every 10-60 ms (${mode}): no edit lost, no task run twice`, async () => {
      const r = await runWithWriter(mode);
      console.log(`queue writer ${mode}: edits written ${r.written}, lost ${r.lost}, tasks re-run ${r.reruns}`);
      expect(r.written).toBeGreaterThan(20);
      // Our side is compare-and-swap; what is left is the microseconds between the last compare and
      // the rename (POSIX rename cannot swap conditionally), where a save can still be replaced.
      expect(r.lost).toBeLessThanOrEqual(Math.ceil(r.written / 100));
      expect(r.reruns).toBe(0);
      expect(new Set(r.statuses)).toEqual(new Set(['complete']));
    }, 120_000);
  }
});

describe('a description edited mid-run', () => {
  it('is what the next iteration uses, and is not written back to the old text', async () => {
    const ws = makeWorkspace();
    const { mkdirSync } = await import('node:fs');
    mkdirSync(path.join(ws, 'governance', 'contracts'), { recursive: true });
    const started = path.join(ws, 'started');
    const release = path.join(ws, 'release');
    writeFileSync(
      path.join(ws, 'governance', 'contracts', 'operator-team.yaml'),
      [
        'version: 1',
        'environments:',
        '  development: {auto_deploy: true, auto_rollback: true, approval: never}',
        '  staging: {auto_deploy: true, auto_rollback: true, approval: first-time}',
        '  production: {auto_deploy: false, auto_rollback: false, approval: always}',
        'agents:',
        `  say: {command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(fixture('say-description.mjs'))}, ${JSON.stringify(started)}, ${JSON.stringify(release)}], prompt: argument, max_iterations: 3}`,
        '',
      ].join('\n'),
    );
    const file = writeQueue(ws, 'p', { project: 'p', features: [{ id: 'FIX', description: 'not yet', agent_type: 'say', completion_promise: 'FIXED' }] });
    const cli = startCli(['--project', 'p', '--non-interactive'], { cwd: ws });
    const { waitFor } = await import('../helpers/workspace.js');
    await waitFor(() => existsSync(started), 20_000, 'the first iteration');
    await waitFor(() => readJson(file).features[0].status === 'in_progress', 20_000, 'in_progress written');
    const q = readJson(file);
    q.features[0].description = 'FIXED';
    writeFileSync(file, `${JSON.stringify(q, null, 2)}\n`);
    await new Promise((r) => setTimeout(r, 600)); // the loop reads the edit
    writeFileSync(release, '');
    expect(await cli.exited, cli.output()).toBe(0);
    expect(readJson(file).features[0]).toMatchObject({ description: 'FIXED', status: 'complete' });
    expect(cli.output()).toMatch(/FIX iteration 2: PASS, promise kept/);
  });
});

describe('the last write-back of a run', () => {
  it('waits out an editor saving in place (the file empty for a moment as the run ends): statuses written, exit 0', async () => {
    const ws = makeWorkspace();
    // The task waits until the loop wrote in_progress, empties the queue file (an editor's in-place
    // save: truncate, then write) and keeps its promise at once: the run ends while the file is
    // empty. The "editor" (this test) writes the text 200 ms later.
    const script = `
      const fs = require('fs'); const f = process.argv[1];
      const wait = () => (JSON.parse(fs.readFileSync(f, 'utf8')).features[0].status === 'in_progress' ? go() : setTimeout(wait, 20));
      const go = () => { fs.writeFileSync(f + '.text', fs.readFileSync(f, 'utf8')); fs.writeFileSync(f, ''); console.log('<promise>DONE</promise>'); };
      wait();`;
    const file = writeQueue(ws, 'p', { project: 'p', features: [{ id: 'SAVE', description: 'saved in place at the end', agent_type: 'command', command: [process.execPath, '-e', script, path.join(ws, 'tasks', 'work_queue_p.json')], completion_promise: 'DONE' }] });
    const cli = startCli(['--project', 'p', '--non-interactive'], { cwd: ws });
    const { waitFor } = await import('../helpers/workspace.js');
    await waitFor(() => existsSync(`${file}.text`) && readFileSync(file, 'utf8') === '', 30_000, 'the file emptied');
    await new Promise((r) => setTimeout(r, 200));
    writeFileSync(file, readFileSync(`${file}.text`, 'utf8'));
    expect(await cli.exited, cli.output()).toBe(0);
    expect(cli.output()).not.toContain('could not write');
    expect(readJson(file).features[0].status).toBe('complete');
  });
});
