import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeWorkspace, removeWorkspaces, runCli, startCli, waitFor, writeQueue } from '../helpers/workspace.js';

// Issue 19: agent processes are tracked by a marker in their environment, found again under
// /proc, so a `setsid` child and a child that ignores SIGTERM are stopped (SIGKILL after a grace
// period) when their iteration ends — not only the process group.

const started: number[] = [];
afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // stopped, as it should be
    }
  }
  removeWorkspaces();
});

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
};

// An agent that leaves children behind: `detached` is setsid (a new session and group).
const agent = (children: string): string => `
const { spawn } = require('child_process');
const kids = [];
${children}
require('fs').writeFileSync('kids.json', JSON.stringify(kids.map((k) => k.pid)));
console.log('<promise>DONE</promise>');
`;
const IGNORES_TERM = "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)";

describe('processes an iteration leaves behind', () => {
  it('a setsid child, one ignoring SIGTERM, and a setsid one ignoring SIGTERM: all stopped when the iteration ends', async () => {
    const ws = makeWorkspace();
    const code = agent(`
kids.push(spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { detached: true, stdio: 'ignore' }));
kids.push(spawn(process.execPath, ['-e', ${JSON.stringify(IGNORES_TERM)}], { stdio: 'ignore' }));
kids.push(spawn(process.execPath, ['-e', ${JSON.stringify(IGNORES_TERM)}], { detached: true, stdio: 'ignore' }));
for (const k of kids) k.unref();
`);
    writeQueue(ws, 'p', { features: [{ id: 'K', agent_type: 'command', command: [process.execPath, '-e', code], completion_promise: 'DONE' }] });
    const r = runCli(['--project', 'p'], { cwd: ws, timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    const pids = JSON.parse(readFileSync(path.join(ws, 'kids.json'), 'utf8')) as number[];
    started.push(...pids);
    expect(pids).toHaveLength(3);
    await waitFor(() => pids.every((p) => !alive(p)), 10_000, `children ${pids.join(', ')} stopped`);
  });
});

describe('processes of an agent when the loop is killed', () => {
  it('a setsid child of a running agent is stopped by the watchdog (SIGKILL of the loop)', async () => {
    const ws = makeWorkspace();
    const code = `
const { spawn } = require('child_process');
const k = spawn(process.execPath, ['-e', ${JSON.stringify(IGNORES_TERM)}], { detached: true, stdio: 'ignore' });
k.unref();
require('fs').writeFileSync('kids.json', JSON.stringify([k.pid]));
setInterval(() => {}, 1000);
`;
    writeQueue(ws, 'p', { features: [{ id: 'K', agent_type: 'command', command: [process.execPath, '-e', code], completion_promise: 'DONE' }] });
    const loop = startCli(['--project', 'p'], { cwd: ws });
    await waitFor(() => existsSync(path.join(ws, 'kids.json')), 60_000, 'the agent started its child');
    const pids = JSON.parse(readFileSync(path.join(ws, 'kids.json'), 'utf8')) as number[];
    started.push(...pids);
    loop.kill('SIGKILL');
    await loop.exited;
    await waitFor(() => pids.every((p) => !alive(p)), 10_000, `child ${pids.join(', ')} stopped`);
  }, 120_000);
});
