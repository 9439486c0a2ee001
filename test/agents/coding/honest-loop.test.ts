import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readJson, removeWorkspaces, runCli, writeQueue } from '../../helpers/workspace.js';
import { codingTask, codingWorkspace, git, type StatusTask } from './coding-workspace.js';
import { fakeCalls, installFakeClis } from './fake-clis.js';

// Issue 26: the coding loop a Ralph user trusts. Stand-in CLIs on PATH speak each preset's
// documented output and really edit files in a real git repository.
afterEach(removeWorkspaces);

const statusOf = (ws: string): Map<string, StatusTask> =>
  new Map((JSON.parse(runCli(['status', '--project', 'p', '--json'], { cwd: ws }).stdout) as { tasks: StatusTask[] }).tasks.map((t) => [t.id, t]));

/** A tiny library with a real node:test suite: `add` must add. */
function withFailingLibrary(ws: string): void {
  writeFileSync(path.join(ws, 'lib.mjs'), 'export const add = (a, b) => a * b;\n');
  mkdirSync(path.join(ws, 'test'));
  writeFileSync(
    path.join(ws, 'test', 'add.test.mjs'),
    "import { test } from 'node:test';\nimport assert from 'node:assert/strict';\nimport { add } from '../lib.mjs';\ntest('adds', () => assert.equal(add(2, 3), 5));\ntest('adds zero', () => assert.equal(add(0, 0), 0));\ntest('adds negatives', () => assert.equal(add(-1, -1), -2));\n",
  );
  git(ws, 'add', 'lib.mjs', 'test');
  git(ws, 'commit', '-qm', 'a library with a failing test');
}
const NODE_TEST = [process.execPath, '--test', '--test-reporter=tap', 'test/'];

describe('completion from the final answer only', { timeout: 180_000 }, () => {
  it('a plan naming the promise, then a final answer "not done", does not complete (claude, codex, gemini)', () => {
    const ws = codingWorkspace();
    const fakes = installFakeClis(ws);
    const file = writeQueue(ws, 'p', { project: 'p', features: ['claude', 'codex', 'gemini'].map((a) => codingTask(a.toUpperCase(), a, 'plan-then-not-done', { max_iterations: 1 })) });
    const run = runCli(['--project', 'p'], { cwd: ws, env: fakes.env('plan-then-not-done') });
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(readJson(file).features.map((t: { status: string }) => t.status)).toEqual(['failed', 'failed', 'failed']);
    for (const t of statusOf(ws).values()) expect(t).toMatchObject({ iterations: 1, reason: 'no promise after 1 iteration(s)' });
  });
});

describe('the verify gate', { timeout: 180_000 }, () => {
  it('a promise while the tests fail does not complete; the failing test reaches the next prompt; it completes when they pass', () => {
    const ws = codingWorkspace();
    withFailingLibrary(ws);
    const fakes = installFakeClis(ws);
    writeQueue(ws, 'p', { project: 'p', features: [codingTask('FIX', 'claude', 'fix-on-2', { max_iterations: 3, verify: [NODE_TEST] })] });
    const run = runCli(['--project', 'p'], { cwd: ws, env: fakes.env('fix-on-2') });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    // The view: what the gate found, in one line.
    expect(run.stdout).toMatch(/FIX iteration 1: FAIL \(verify: 1 passed, 2 failed — adds, adds negatives\)/);
    expect(run.stdout).toMatch(/FIX iteration 2: PASS, promise kept \(verify: 3 passed, 0 failed\)/);
    const calls = fakeCalls(fakes.state);
    expect(calls).toHaveLength(2);
    // The next prompt carries the failing tests by name with their first lines.
    expect(calls[1]?.prompt).toContain('✗ adds');
    expect(calls[1]?.prompt).toMatch(/✗ adds\n\s+.*-1 !== 5|Expected values to be strictly equal/);
    expect(calls[1]?.prompt).toContain('✗ adds negatives');
    expect(statusOf(ws).get('FIX')).toMatchObject({ status: 'complete', iterations: 2 });
  });

  it('verify from the contract for an agent type; a gate that never passes with nothing changing is stuck at N', () => {
    const ws = codingWorkspace(`    verify: [[${JSON.stringify(process.execPath)}, "--test", "--test-reporter=tap", "test/"]]\n`);
    withFailingLibrary(ws);
    const fakes = installFakeClis(ws);
    writeQueue(ws, 'p', { project: 'p', features: [codingTask('NEVER', 'claude', 'fix-never', { max_iterations: 8, stuck_after: 3 })] });
    const run = runCli(['--project', 'p'], { cwd: ws, env: fakes.env('fix-never') });
    expect(run.code, run.stdout + run.stderr).toBe(1);
    const t = statusOf(ws).get('NEVER');
    expect(t).toMatchObject({ status: 'failed', iterations: 3 });
    expect(t?.reason).toMatch(/^stuck: the same failure 3 iterations in a row: verify: 1 passed, 2 failed — adds, adds negatives/);
  });
});

describe('stuck means no progress', { timeout: 180_000 }, () => {
  it('an agent that converts one module a call, with changing numbers, is never stuck', () => {
    const ws = codingWorkspace();
    const fakes = installFakeClis(ws);
    writeQueue(ws, 'p', { project: 'p', features: [codingTask('CONV', 'claude', 'progress-files', { max_iterations: 4, stuck_after: 3, checkpoint: 'never' })] });
    const run = runCli(['--project', 'p'], { cwd: ws, env: fakes.env('progress-files') });
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(statusOf(ws).get('CONV')).toMatchObject({ status: 'failed', iterations: 4, reason: 'no promise after 4 iteration(s)' });
  });
});

describe('progress remembered across runs', { timeout: 180_000 }, () => {
  it('iterations of an earlier run that changed files count as progress: stuck only after N with no change', () => {
    const ws = codingWorkspace();
    const fakes = installFakeClis(ws);
    writeQueue(ws, 'p', { project: 'p', features: [codingTask('PR', 'claude', 'progress-then-stuck', { max_iterations: 8, stuck_after: 3 })] });
    const first = runCli(['--project', 'p', '--max-iterations', '2'], { cwd: ws, env: fakes.env('progress-then-stuck') });
    expect(statusOf(ws).get('PR'), first.stdout + first.stderr).toMatchObject({ status: 'pending', iterations: 2 });
    const second = runCli(['--project', 'p'], { cwd: ws, env: fakes.env('progress-then-stuck') });
    expect(second.code, second.stdout + second.stderr).toBe(1);
    const t = statusOf(ws).get('PR');
    // Iterations 1 and 2 changed files; 3, 4 and 5 changed nothing with the same words: stuck at 5, not 3.
    expect(t).toMatchObject({ status: 'failed', iterations: 5 });
    expect(t?.reason).toMatch(/^stuck/);
  });
});

describe('usage limits', { timeout: 180_000 }, () => {
  it("Claude's rejected rate_limit_event: waits until resetsAt with a countdown, the iteration not spent", () => {
    const ws = codingWorkspace();
    const fakes = installFakeClis(ws);
    writeQueue(ws, 'p', { project: 'p', features: [codingTask('RL', 'claude', 'usage-limit', { max_iterations: 1 })] });
    const started = Date.now();
    const run = runCli(['--project', 'p'], { cwd: ws, env: { ...fakes.env('usage-limit'), FAKE_RESET_SECONDS: '3' } });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(Date.now() - started).toBeGreaterThan(2_000);
    expect(run.stdout).toMatch(/⏳ usage limit \(.*hit your limit.*\): waiting until \d\d:\d\d:\d\d UTC, \ds left \(the iteration is not spent\)/);
    expect(statusOf(ws).get('RL')).toMatchObject({ status: 'complete', iterations: 1 });
    expect(fakeCalls(fakes.state)).toHaveLength(2);
  });

  it('a reset past retry.max_wait_seconds stops the run resumably (exit 6) with the time; the task is not failed', () => {
    const ws = codingWorkspace('', 'initial_seconds: 0.2, max_seconds: 1, max_retries: 3, max_wait_seconds: 5');
    const fakes = installFakeClis(ws);
    const file = writeQueue(ws, 'p', { project: 'p', features: [codingTask('RL', 'claude', 'usage-limit', { max_iterations: 2 })] });
    const run = runCli(['--project', 'p'], { cwd: ws, env: { ...fakes.env('usage-limit'), FAKE_RESET_SECONDS: '7200' } });
    expect(run.code, run.stdout + run.stderr).toBe(6);
    expect(run.stderr).toMatch(/paused: usage limit .*: resumes at \d{4}-\d\d-\d\dT.*; state saved: run again after \d{4}-\d\d-\d\dT[\d:.]+Z to resume/);
    expect(readJson(file).features[0].status).not.toBe('failed');
    const t = statusOf(ws).get('RL');
    expect(t).toMatchObject({ status: 'pending', iterations: 0 });
    expect(t?.reason).toMatch(/resumes at/);
  });
});

describe('a usage limit with no reset time', { timeout: 180_000 }, () => {
  it('retried with backoff, then the run stops resumably (exit 6), the task pending, never failed', () => {
    const ws = codingWorkspace();
    const fakes = installFakeClis(ws);
    const file = writeQueue(ws, 'p', { project: 'p', features: [codingTask('NR', 'claude', 'usage-limit-no-reset', { max_iterations: 2 })] });
    const run = runCli(['--project', 'p'], { cwd: ws, env: fakes.env('usage-limit-no-reset') });
    expect(run.code, run.stdout + run.stderr).toBe(6);
    expect(run.stderr).toMatch(/paused: usage limit \(.*usage limit reached.*\), no reset time reported, still there after 3 retries: resumes at \d{4}-.*; state saved: run again after/);
    expect(fakeCalls(fakes.state)).toHaveLength(4);
    expect(readJson(file).features[0].status).toBe('pending');
    expect(statusOf(ws).get('NR')).toMatchObject({ status: 'pending', iterations: 0 });
  });
});

describe('no agent named', { timeout: 180_000 }, () => {
  it('a task naming no agent gets the contract default coding preset (claude): cost, checkpoints', () => {
    const ws = codingWorkspace();
    const fakes = installFakeClis(ws);
    writeQueue(ws, 'p', { project: 'p', features: [codingTask('PLAIN', null, 'promise-on-2', { max_iterations: 3 })] });
    const run = runCli(['--project', 'p'], { cwd: ws, env: fakes.env('promise-on-2') });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('PLAIN (claude)');
    expect(statusOf(ws).get('PLAIN')).toMatchObject({ status: 'complete', iterations: 2, cost_usd: 0.02 });
    expect(git(ws, 'log', '--format=%s', '-1')).toBe('autonomous-loop: PLAIN iteration 2/3 (PASS, promise kept)');
    expect(readFileSync(path.join(ws, 'work-PLAIN.txt'), 'utf8')).toBe('call 2\n');
  });
});
