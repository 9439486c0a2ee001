import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killTmuxSessions, startCliInTmux } from '../helpers/tmux.js';
import { makeWorkspace, nodeTask, readJson, removeWorkspaces, runCli, writeQueue, readDecisions } from '../helpers/workspace.js';

// A gate's question open in one terminal, and the rest of the world going on: a decision from a
// second shell (a second tmux terminal), other tasks running at --concurrency 2.
afterEach(() => {
  killTmuxSessions();
  removeWorkspaces();
});

const decisions = readDecisions;
const gated = { features: [{ id: 'G', agent_type: 'noop', requires_approval: true }, { id: 'AFTER', agent_type: 'noop', depends_on: ['G'] }] };

describe('a decision from another shell answers the open question', () => {
  it('approve in a second terminal: the question closes saying who approved, the run goes on, one approval on record', async () => {
    const ws = makeWorkspace();
    const file = writeQueue(ws, 'p', gated);
    const run = startCliInTmux(['--project', 'p', '--by', 'ana'], { cwd: ws });
    await run.expect('? Approve G? (y/N)');
    const status = JSON.parse(runCli(['status', '--json', '--no-probe'], { cwd: ws }).stdout);
    expect(status.tasks[0]).toMatchObject({ id: 'G', status: 'awaiting_approval', pending_gate: { reasons: ['the task requires approval'] } });
    const other = startCliInTmux(['approve', 'G', '--by', 'bob'], { cwd: ws });
    await other.expect('? Approve G as shown, as bob? (y/N)');
    other.send('y', 'Enter');
    expect(await other.exited()).toBe(0);
    expect(other.screen()).toMatch(/approved G by bob \(subject [0-9a-f]+\): the run going on now \(pid \d+ on .+\) takes it: its question for G, if open, closes/);
    await run.expect('✔ Approve G? approved by bob from another shell');
    expect(await run.exited()).toBe(0);
    const screen = run.screen();
    expect(screen).toContain('✔ AFTER complete');
    expect(screen).not.toMatch(/\? Approve G\? \(y\/N\)\s*$/m); // not asked again
    expect(decisions(ws).map((d) => [d.task_id, d.decision, d.by])).toEqual([['G', 'approve', 'bob']]);
    expect(readJson(file).features.map((f: { status: string }) => f.status)).toEqual(['complete', 'complete']);
  });

  it('reject from another shell: the question closes saying who rejected and why, the dependent is skipped, exit 1', async () => {
    const ws = makeWorkspace();
    const file = writeQueue(ws, 'p', gated);
    const run = startCliInTmux(['--project', 'p', '--by', 'ana'], { cwd: ws });
    await run.expect('? Approve G? (y/N)');
    const r = runCli(['reject', 'G', '--by', 'bob', '--comment', 'not on a Friday'], { cwd: ws });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('the run going on now');
    await run.expect('✔ Approve G? rejected by bob from another shell: not on a Friday');
    expect(await run.exited()).toBe(1);
    expect(run.screen()).toContain('↷ AFTER skipped: dependency G blocked');
    expect(decisions(ws).map((d) => [d.decision, d.by])).toEqual([['reject', 'bob']]);
    expect(readJson(file).features.map((f: { status: string }) => f.status)).toEqual(['blocked', 'skipped']);
  });
});

describe('while a question waits for a person (--concurrency 2)', () => {
  it("the other task's progress stays on screen and keeps moving, its end is shown, and it all stays after the answer", async () => {
    const ws = makeWorkspace();
    const log = path.join(ws, 'steps.log');
    writeQueue(ws, 'p', { features: [{ id: 'G', agent_type: 'noop', requires_approval: true }, nodeTask('S', 'slow-steps.mjs', { completion_promise: 'DONE' }, [log, '6000'])] });
    const run = startCliInTmux(['--project', 'p', '--concurrency', '2', '--by', 'ana'], { cwd: ws });
    await run.expect('? Approve G? (y/N)');
    // S's start line is above the question or beneath it, whichever of the two came first.
    await run.expect(/\? Approve G\? \(y\/N\)\s*\n\s*meanwhile \(the other tasks go on\):\n(?:\s*▶ S \(command\)\n)?\s*[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] S · iteration 1\/5/);
    const frame = (): string | undefined => /meanwhile[^\n]*\n(?:\s*▶ S[^\n]*\n)?\s*([⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]) S/.exec(run.screen())?.[1];
    const first = frame();
    await new Promise((r) => setTimeout(r, 400));
    expect(frame()).toBeDefined();
    expect(frame()).not.toBe(first); // the spinner moves: the screen is not frozen
    // S (6 s: the question is up before it ends, on a loaded machine and on PostgreSQL too) finishes while the question is still open: its end is shown beneath the question.
    await run.expect(/\? Approve G\? \(y\/N\)\s*\n\s*meanwhile \(the other tasks go on\):[\s\S]*✔ S complete/, 15_000);
    run.send('y', 'Enter');
    expect(await run.exited()).toBe(0);
    const screen = run.screen();
    expect(screen).toContain('✔ Approve G? Yes');
    expect(screen).not.toContain('meanwhile'); // gone with the question
    expect(screen.indexOf('✔ S complete')).toBeGreaterThan(screen.indexOf('? Approve G? Yes')); // printed for good after it
    expect(screen).toContain('2 complete (exit 0)');
  });
});
