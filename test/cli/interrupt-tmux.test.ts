import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killTmuxSessions, startCliInTmux } from '../helpers/tmux.js';
import { makeWorkspace, nodeTask, readJson, removeWorkspaces, runCli, waitFor, writeQueue } from '../helpers/workspace.js';
import { isProcessAlive } from '../../src/state/is-process-alive.js';

// Ctrl-C at any moment, in a real terminal (tmux sends ^C as a person's key does: a real SIGINT
// from the terminal, or the key itself while a prompt holds the terminal in raw mode).
afterEach(() => {
  killTmuxSessions();
  removeWorkspaces();
});

const SPINNER = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/;

/** A task that says it started (its pid in `started`) and holds until `release` exists. */
const holding = (ws: string, id: string) => nodeTask(id, 'wait-for-file.mjs', { completion_promise: 'DONE', max_iterations: 3 }, [path.join(ws, `${id}.started`), path.join(ws, `${id}.release`)]);
/** A task that would leave a line in `<ws>/started.log` if it ever started. */
const later = (ws: string, id: string) => nodeTask(id, 'slow-steps.mjs', { completion_promise: 'DONE' }, [path.join(ws, 'started.log'), '200']);

const statuses = (ws: string): Record<string, string> => {
  const status = runCli(['status', '--json', '--no-probe'], { cwd: ws });
  const parsed = JSON.parse(status.stdout) as { tasks: { id: string; status: string }[]; running: unknown };
  expect(parsed.running).toBeNull();
  return Object.fromEntries(parsed.tasks.map((t) => [t.id, t.status]));
};
const alive = isProcessAlive;

function expectCleanEnd(screen: string): void {
  expect(screen.match(/interrupted; state saved/g)).toHaveLength(1);
  expect(screen).not.toMatch(SPINNER); // the live region is cleared, not left behind
  expect(screen).not.toMatch(/ExitPromptError|this is a bug|at .*\.js:\d+/);
}

describe('Ctrl-C at any moment (--concurrency 2)', () => {
  it('with a gate prompt open and another task mid-step: nothing new starts, true statuses, one interrupted line, the live region cleared', async () => {
    const ws = makeWorkspace();
    const file = writeQueue(ws, 'p', { features: [{ id: 'G', agent_type: 'noop', requires_approval: true }, holding(ws, 'W'), later(ws, 'N1'), later(ws, 'N2')] });
    const t = startCliInTmux(['--project', 'p', '--concurrency', '2', '--by', 'ana'], { cwd: ws });
    await t.expect('? Approve G? (y/N)');
    await waitFor(() => existsSync(path.join(ws, 'W.started')), 20_000, 'W to start');
    const pid = Number(readFileSync(path.join(ws, 'W.started'), 'utf8'));
    t.send('C-c');
    expect(await t.exited()).toBe(130);
    const screen = t.screen();
    expectCleanEnd(screen);
    expect(existsSync(path.join(ws, 'started.log'))).toBe(false); // N1 and N2 never started
    expect(screen).not.toMatch(/▶ N1|▶ N2/);
    expect(screen).toContain('■ W stopped: interrupted at iteration 1: the next run resumes it');
    await waitFor(() => !alive(pid), 10_000, "W's process to be stopped");
    const expected = { G: 'awaiting_approval', W: 'pending', N1: 'pending', N2: 'pending' };
    expect(statuses(ws)).toEqual(expected);
    expect(Object.fromEntries(readJson(file).features.map((f: { id: string; status?: string }) => [f.id, f.status ?? 'pending']))).toEqual(expected);
  });

  for (const round of [1, 2, 3]) {
    it(`mid-step with two tasks running (round ${round}): nothing new starts, one interrupted line, the live region cleared`, async () => {
      const ws = makeWorkspace();
      writeQueue(ws, 'p', { features: [holding(ws, 'A'), holding(ws, 'B'), later(ws, 'N')] });
      const t = startCliInTmux(['--project', 'p', '--concurrency', '2'], { cwd: ws });
      await waitFor(() => existsSync(path.join(ws, 'A.started')) && existsSync(path.join(ws, 'B.started')), 20_000, 'A and B to start');
      await t.expect(/⠋|⠙|⠹|⠸|⠼|⠴|⠦|⠧|⠇|⠏/); // the live region is on screen
      await new Promise((r) => setTimeout(r, 100 * round));
      t.send('C-c');
      expect(await t.exited()).toBe(130);
      expectCleanEnd(t.screen());
      expect(existsSync(path.join(ws, 'started.log'))).toBe(false);
      expect(statuses(ws)).toEqual({ A: 'pending', B: 'pending', N: 'pending' });
    });
  }
});
