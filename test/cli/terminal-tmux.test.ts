import { afterEach, describe, expect, it } from 'vitest';
import { killTmuxSessions, startCliInTmux } from '../helpers/tmux.js';
import { makeWorkspace, nodeTask, readJson, removeWorkspaces, runCli, writeQueue, readDecisions } from '../helpers/workspace.js';

// A person at a real terminal (tmux): what the screen shows, read before each key.
afterEach(() => {
  killTmuxSessions();
  removeWorkspaces();
});

const decisions = readDecisions;
const two = (id: string, extra: Record<string, unknown> = {}) => nodeTask(id, 'two-then-promise.mjs', { completion_promise: 'DONE', max_iterations: 3, ...extra });

describe('the live view in a terminal', () => {
  it('shows every iteration, the dependent task and the summary (a two-iteration task, then one that depends on it)', async () => {
    const ws = makeWorkspace();
    writeQueue(ws, 'p', { features: [two('FIRST'), two('SECOND', { depends_on: ['FIRST'] })] });
    const t = startCliInTmux(['--project', 'p'], { cwd: ws });
    expect(await t.exited()).toBe(0);
    const screen = t.screen();
    for (const line of ['FIRST · iteration 1/3', 'FIRST · iteration 2/3 · PASS · promise kept', '✔ FIRST complete', 'SECOND · iteration 2/3 · PASS · promise kept', '✔ SECOND complete', '2 complete (exit 0)']) {
      expect(screen).toContain(line);
    }
  });

  it('at --concurrency 3 shows all three tasks to the end', async () => {
    const ws = makeWorkspace();
    writeQueue(ws, 'p', { features: [two('A'), two('B'), two('C'), { id: 'D', agent_type: 'noop', depends_on: ['A', 'B', 'C'] }] });
    const t = startCliInTmux(['--project', 'p', '--concurrency', '3'], { cwd: ws });
    expect(await t.exited()).toBe(0);
    const screen = t.screen();
    for (const id of ['A', 'B', 'C', 'D']) expect(screen).toContain(`✔ ${id} complete`);
    expect(screen).toContain('4 complete (exit 0)');
    expect(screen).not.toMatch(/⠋|⠙|⠹/); // no spinner left behind
  });
});

describe('several gates at --concurrency 3', () => {
  it('asks one question at a time, each answer applies to its own task', async () => {
    const ws = makeWorkspace();
    const file = writeQueue(ws, 'p', { features: ['G1', 'G2', 'G3'].map((id) => ({ id, agent_type: 'noop', requires_approval: true })) });
    const t = startCliInTmux(['--project', 'p', '--concurrency', '3', '--by', 'ana'], { cwd: ws });
    // The three reach their gate together: which asks first is the run's (on PostgreSQL, the claims').
    const answers: Record<string, 'y' | 'n'> = { G1: 'y', G2: 'n', G3: 'y' };
    const asked: string[] = [];
    for (let i = 0; i < 3; i++) {
      const question = /\? Approve (G\d)\? \(y\/N\)/;
      await t.expect(question);
      expect(t.screen().match(new RegExp(question.source, 'g'))).toHaveLength(1); // never two questions at once
      const id = question.exec(t.screen())![1]!;
      expect(asked).not.toContain(id);
      asked.push(id);
      t.send(answers[id]!, 'Enter');
      await t.expect(`Approve ${id}? ${answers[id] === 'y' ? 'Yes' : 'No'}`);
    }
    expect(await t.exited()).toBe(1);
    expect(readJson(file).features.map((f: { status: string }) => f.status)).toEqual(['complete', 'blocked', 'complete']);
    expect(decisions(ws).map((d) => [d.task_id, d.decision])).toEqual(asked.map((id) => [id, answers[id] === 'y' ? 'approve' : 'reject']));
  });
});

describe('BLOCKED on iteration 2: each answer does what it says', () => {
  const queue = { features: [nodeTask('RISKY', 'blocked-on-second.mjs', { completion_promise: 'DONE', max_iterations: 3 }), { id: 'AFTER', agent_type: 'noop', depends_on: ['RISKY'] }] };

  it('O with a reason: the task completes, the dependent runs, exit 0, the reason on record', async () => {
    const ws = makeWorkspace();
    const file = writeQueue(ws, 'p', queue);
    const t = startCliInTmux(['--project', 'p', '--by', 'ana'], { cwd: ws });
    await t.expect('(R)evert / (O)verride / (A)bort?');
    const box = t.screen();
    expect(box).toContain('THE AGENT BLOCKED THE TASK');
    expect(box).toContain('it wants to drop the users table');
    expect(box).toContain('O  Override: count this iteration as passed (the task completes, its dependents run)');
    expect(box).not.toContain('Revert:'); // not a git work tree: nothing to revert
    t.send('o', 'Enter');
    await t.expect('Reason for the override');
    t.type('a test table only');
    t.send('Enter');
    expect(await t.exited()).toBe(0);
    expect(t.screen()).toContain('✔ AFTER complete');
    expect(readJson(file).features.map((f: { status: string }) => f.status)).toEqual(['complete', 'complete']);
    expect(decisions(ws).map((d) => [d.decision, d.by, d.reason])).toEqual([['override', 'ana', 'a test table only']]);
  });

  it('A: exit 4, the task stays pending, a later run asks again', async () => {
    const ws = makeWorkspace();
    const file = writeQueue(ws, 'p', queue);
    const t = startCliInTmux(['--project', 'p', '--by', 'bo'], { cwd: ws });
    await t.expect('(R)evert / (O)verride / (A)bort?');
    t.send('a', 'Enter');
    expect(await t.exited()).toBe(4);
    expect(readJson(file).features[0].status ?? 'pending').toBe('pending');
    expect(decisions(ws).map((d) => d.decision)).toEqual(['abort']);
  });

  it('Ctrl-C at the question: exit 130, nothing recorded, the dependent not skipped, the next run asks again', async () => {
    const ws = makeWorkspace();
    const file = writeQueue(ws, 'p', queue);
    const t = startCliInTmux(['--project', 'p'], { cwd: ws });
    await t.expect('(R)evert / (O)verride / (A)bort?');
    t.send('C-c');
    expect(await t.exited()).toBe(130);
    expect(t.screen()).not.toMatch(/ExitPromptError|this is a bug|at .*\.js:\d+/);
    expect(readJson(file).features.map((f: { status?: string }) => f.status ?? 'pending')).toEqual(['pending', 'pending']);
    expect(decisions(ws)).toEqual([]);
    const again = startCliInTmux(['--project', 'p'], { cwd: ws });
    await again.expect('(R)evert / (O)verride / (A)bort?');
  });

  it('without a terminal the task is blocked (a veto); `override` from another shell lets it pass on the next run', () => {
    const ws = makeWorkspace();
    const file = writeQueue(ws, 'p', queue);
    expect(runCli(['--project', 'p'], { cwd: ws }).code).toBe(1);
    expect(readJson(file).features.map((f: { status: string }) => f.status)).toEqual(['blocked', 'skipped']);
    const approve = runCli(['approve', 'RISKY', '--by', 'cy'], { cwd: ws });
    expect(approve.stdout).toContain('an approval does not lift that');
    const o = runCli(['override', 'RISKY', '--by', 'cy', '--reason', 'checked by hand', '--json'], { cwd: ws });
    expect(o.code).toBe(0);
    expect(JSON.parse(o.stdout)).toMatchObject({ decision: 'override', recorded: true, status: 'pending' });
    const again = runCli(['--project', 'p'], { cwd: ws });
    expect(again.code).toBe(0);
    expect(readJson(file).features.map((f: { status: string }) => f.status)).toEqual(['complete', 'complete']);
    expect(decisions(ws).map((d) => d.decision)).toEqual(['veto', 'override']);
  });
});

describe('Ctrl-C', () => {
  it('during a long task: exit 130, no stack, and status shows nothing running', async () => {
    const ws = makeWorkspace();
    writeQueue(ws, 'p', { features: [nodeTask('LONG', 'hang.mjs', { completion_promise: 'DONE' })] });
    const t = startCliInTmux(['--project', 'p'], { cwd: ws });
    await t.expect('hanging');
    t.send('C-c');
    expect(await t.exited()).toBe(130);
    expect(t.screen()).not.toMatch(/at .*\.js:\d+|this is a bug/);
    const status = runCli(['status', '--json'], { cwd: ws });
    expect(JSON.parse(status.stdout).running).toBeNull();
  });

  it('at an approval prompt: exit 130, no stack, the task stays awaiting approval, nothing recorded', async () => {
    const ws = makeWorkspace();
    const file = writeQueue(ws, 'p', { features: [{ id: 'GATED', agent_type: 'noop', requires_approval: true }] });
    const t = startCliInTmux(['--project', 'p'], { cwd: ws });
    await t.expect('(y/N)');
    t.send('C-c');
    expect(await t.exited()).toBe(130);
    expect(t.screen()).not.toMatch(/ExitPromptError|this is a bug|at .*\.js:\d+/);
    expect(readJson(file).features[0].status).toBe('awaiting_approval');
    expect(decisions(ws)).toEqual([]);
  });
});

describe('decisions change state truthfully', () => {
  it('a rejection then an approval: the next run runs the task, without editing the queue', () => {
    const ws = makeWorkspace();
    const file = writeQueue(ws, 'p', { features: [{ id: 'GATED', agent_type: 'noop', requires_approval: true }, { id: 'AFTER', agent_type: 'noop', depends_on: ['GATED'] }] });
    expect(runCli(['--project', 'p'], { cwd: ws }).code).toBe(3);
    expect(runCli(['reject', 'GATED', '--by', 'bob', '--comment', 'not today'], { cwd: ws }).stdout).toContain('GATED is blocked');
    expect(runCli(['--project', 'p'], { cwd: ws }).code).toBe(1);
    const approve = runCli(['approve', 'GATED', '--by', 'bob'], { cwd: ws });
    expect(approve.stdout).toContain('the earlier rejection no longer holds');
    expect(readJson(file).features[0].status).toBe('pending');
    const run = runCli(['--project', 'p'], { cwd: ws });
    expect(run.stdout + run.stderr).not.toContain('rejected by');
    expect(run.code).toBe(0);
    expect(readJson(file).features.map((f: { status: string }) => f.status)).toEqual(['complete', 'complete']);
    expect(runCli(['approve', 'GATED', '--by', 'bob'], { cwd: ws }).stdout).toBe('GATED is complete already: nothing to approve, nothing recorded\n');
    expect(runCli(['approve', 'AFTER', '--by', 'bob'], { cwd: ws }).stdout).toContain('complete already');
  });

  it('approve on a task with no gate says so and records nothing', () => {
    const ws = makeWorkspace();
    writeQueue(ws, 'p', { features: [{ id: 'FREE', agent_type: 'noop' }] });
    expect(runCli(['approve', 'FREE', '--by', 'bob'], { cwd: ws }).stdout).toContain('needs no approval');
    expect(decisions(ws)).toEqual([]);
  });
});
