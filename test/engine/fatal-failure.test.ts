import { afterEach, describe, expect, it } from 'vitest';
import { makeWorkspace, readJson, removeWorkspaces, runCli, writeQueue } from '../helpers/workspace.js';

afterEach(removeWorkspaces);

describe('a program that is not installed', () => {
  it('fails its task at once with one clear reason, not five retries of ENOENT', () => {
    const ws = makeWorkspace();
    const file = writeQueue(ws, 'p', { features: [{ id: 'CODE', agent_type: 'command', command: ['claude-not-installed-here', '-p'], completion_promise: 'DONE', max_iterations: 5 }] });
    const r = runCli(['--project', 'p', '--json'], { cwd: ws });
    expect(r.code).toBe(1);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string; reason?: string });
    expect(events.filter((e) => e.event === 'iteration:start')).toHaveLength(1);
    expect(events.find((e) => e.event === 'task:end')?.reason).toBe('claude-not-installed-here: not found (not installed, or not on PATH): nothing ran, and no retry would help');
    expect(readJson(file).features[0].status).toBe('failed');
    const status = JSON.parse(runCli(['status', '--json'], { cwd: ws }).stdout);
    expect(status.tasks[0]).toMatchObject({ status: 'failed', iterations: 1 });
  });
});
