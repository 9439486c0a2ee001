import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { alive, cliPath, fixture, makeWorkspace, nodeTask, readJson, removeWorkspaces, runCli, startCli, waitFor, writeQueue } from '../helpers/workspace.js';

afterEach(removeWorkspaces);

const node = (code: string) => [process.execPath, '-e', code];

describe('the processes of an iteration', () => {
  it('a daemon a task started does not outlive the task', async () => {
    const ws = makeWorkspace();
    const daemon = "const c = require('child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }); c.unref(); require('fs').writeFileSync('daemon.pid', String(c.pid)); console.log('<promise>DONE</promise>');";
    writeQueue(ws, 'p', { features: [{ id: 'D', agent_type: 'command', command: node(daemon), completion_promise: 'DONE' }] });
    expect(runCli(['--project', 'p'], { cwd: ws }).code).toBe(0);
    const pid = Number(readFileSync(path.join(ws, 'daemon.pid'), 'utf8'));
    await waitFor(() => !alive(pid), 5_000, `daemon ${pid} stopped`);
  });

  it('the iteration ends when the agent exits, though a grandchild holds its output open', () => {
    const ws = makeWorkspace();
    const holder = "require('child_process').spawn(process.execPath, ['-e', 'setTimeout(() => {}, 120000)'], { stdio: 'inherit' }).unref(); console.log('<promise>DONE</promise>');";
    const file = writeQueue(ws, 'p', { features: [{ id: 'G', agent_type: 'command', command: node(holder), completion_promise: 'DONE' }] });
    const started = Date.now();
    const r = runCli(['--project', 'p'], { cwd: ws, timeoutMs: 30_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(readJson(file).features[0].status).toBe('complete');
  });

  it('output past the cap is no failure: it says so and keeps the tail with the promise', async () => {
    const ws = makeWorkspace();
    const flood = "const line = 'x'.repeat(1023) + '\\n'; const block = line.repeat(1024); let n = 0; (function w() { while (n < 70) { n++; if (!process.stdout.write(block)) return process.stdout.once('drain', w); } console.log('<promise>DONE</promise>'); })();";
    const file = writeQueue(ws, 'p', { features: [{ id: 'BIG', agent_type: 'command', command: node(flood), completion_promise: 'DONE' }] });
    // 70 MB: past the cap, and past the 64 MB a buffered child process was once allowed
    const out = path.join(ws, 'terminal.txt');
    const fd = openSync(out, 'w');
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [cliPath, '--project', 'p'], { cwd: ws, env: { ...process.env, CI: '1' }, stdio: ['ignore', fd, fd] });
      child.on('close', resolve);
    });
    closeSync(fd);
    const terminal = readFileSync(out, 'utf8').split('\n').filter((l) => !l.includes('xxxx')).join('\n');
    expect(code, terminal).toBe(0);
    expect(readJson(file).features[0].status).toBe('complete');
    expect(terminal).toContain('output exceeded 8 MB');
  }, 90_000);

  it('agents die with the loop when the loop is killed with SIGKILL', async () => {
    const ws = makeWorkspace();
    const pids = path.join(ws, 'pids');
    writeQueue(ws, 'p', { features: [nodeTask('HANG', 'hang.mjs', {}, [pids])] });
    const cli = startCli(['--project', 'p'], { cwd: ws });
    await waitFor(() => existsSync(pids) && readFileSync(pids, 'utf8').includes(' '), 20_000, 'the agent started');
    const [agent, grandchild] = readFileSync(pids, 'utf8').split(' ').map(Number) as [number, number];
    cli.kill('SIGKILL');
    await cli.exited;
    await waitFor(() => !alive(agent) && !alive(grandchild), 10_000, 'the agent and its child stopped');
  });
});

describe('task text in a prompt', () => {
  it('control characters from the queue are shown escaped in the approval box', async () => {
    const { killPtys, startCliInPty } = await import('../helpers/pty.js');
    try {
      const ws = makeWorkspace();
      writeQueue(ws, 'p', { features: [{ id: 'ESC', agent_type: 'noop', requires_approval: ['\u001b[2J\u001b[31mAPPROVED BY SECURITY\u001b[0m'] }] });
      const pty = startCliInPty(['--project', 'p', '--approval-timeout', '2'], { cwd: ws });
      await pty.expect('APPROVAL REQUIRED');
      await pty.expect('\\u001b[2J\\u001b[31mAPPROVED BY SECURITY');
      expect(await pty.exited).toBe(3);
    } finally {
      killPtys();
    }
  });
});

void fixture;
