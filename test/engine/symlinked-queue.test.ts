import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeWorkspace, removeWorkspaces, runCli } from '../helpers/workspace.js';

// Issue 19, files: a symlinked queue file is written through to its target (the link stays);
// a link leading out of the workspace is refused before anything is written. And an override's
// reason that is too short says how long a reason must be.

afterAll(() => removeWorkspaces());

const QUEUE = `${JSON.stringify({ project: 'p', features: [{ id: 'A', agent_type: 'noop' }, { id: 'B', agent_type: 'noop', depends_on: ['A'] }] }, null, 2)}\n`;

describe('a symlinked queue file', () => {
  it('inside the workspace: statuses go to the target, the link stays a link', () => {
    const ws = makeWorkspace();
    mkdirSync(path.join(ws, 'queues'), { recursive: true });
    const target = path.join(ws, 'queues', 'real.json');
    writeFileSync(target, QUEUE);
    const link = path.join(ws, 'tasks', 'work_queue_p.json');
    symlinkSync(path.join('..', 'queues', 'real.json'), link);
    const r = runCli(['--project', 'p'], { cwd: ws });
    expect(r.code, r.stderr).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    const statuses = (JSON.parse(readFileSync(target, 'utf8')) as { features: { status: string }[] }).features.map((t) => t.status);
    expect(statuses).toEqual(['complete', 'complete']);
  });

  it('outside the workspace: refused, exit 2, nothing written', () => {
    const ws = makeWorkspace();
    const outside = path.join(mkdtempSync(path.join(tmpdir(), 'i19-outside-')), 'queue.json');
    writeFileSync(outside, QUEUE);
    symlinkSync(outside, path.join(ws, 'tasks', 'work_queue_p.json'));
    const r = runCli(['--project', 'p'], { cwd: ws });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/a symlink to .*queue\.json, outside the workspace: refused/);
    expect(readFileSync(outside, 'utf8')).toBe(QUEUE);
    expect(existsSync(path.join(ws, '.aibrain', 'state.db'))).toBe(false);
  });
});

describe('override --reason', () => {
  it('too short: says how long a reason must be', () => {
    const ws = makeWorkspace();
    writeFileSync(path.join(ws, 'tasks', 'work_queue_p.json'), QUEUE);
    const r = runCli(['override', 'A', '--project', 'p', '--by', 'ann', '--reason', 'x'], { cwd: ws });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--reason "x" is too short: a reason must be 3 characters or more');
  });
});
