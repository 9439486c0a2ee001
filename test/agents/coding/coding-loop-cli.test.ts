import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeWorkspace, readJson, removeWorkspaces, repoRoot, runCli, startCli, waitFor, writeQueue } from '../../helpers/workspace.js';
import { fakeCalls, installFakeClis } from './fake-clis.js';

afterEach(removeWorkspaces);

const git = (cwd: string, ...args: string[]): string => {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
};

let contractText = '';
beforeAll(() => {
  contractText = readFileSync(path.join(repoRoot, 'governance', 'contracts', 'operator-team.yaml'), 'utf8');
});

/** A workspace that is a git work tree with one commit, and a contract whose retries are quick. */
function codingWorkspace(agents = ''): string {
  const ws = makeWorkspace();
  git(ws, 'init', '-q', '-b', 'main');
  git(ws, 'config', 'user.name', 'Test Person');
  git(ws, 'config', 'user.email', 'test@example.com');
  writeFileSync(path.join(ws, 'README.md'), '# app\n');
  writeFileSync(path.join(ws, '.gitignore'), 'fake-bin/\nfake-state/\n');
  git(ws, 'add', 'README.md', '.gitignore');
  git(ws, 'commit', '-qm', 'initial');
  mkdirSync(path.join(ws, 'governance', 'contracts'), { recursive: true });
  const quickRetries = `agents:\n  claude:\n    retry: { initial_seconds: 0.2, max_seconds: 1, max_retries: 3 }\n${agents}`;
  writeFileSync(path.join(ws, 'governance', 'contracts', 'operator-team.yaml'), contractText.replace(/^agents:\n/m, quickRetries));
  git(ws, 'add', 'governance');
  git(ws, 'commit', '-qm', 'contract');
  return ws;
}

const task = (id: string, agent: string, scenario: string, extra: Record<string, unknown> = {}) => ({ id, description: `Make ${id} work. scenario: ${scenario}`, agent_type: agent, completion_promise: 'DONE', ...extra });

interface StatusTask {
  id: string;
  status: string;
  iterations: number;
  reason: string | null;
  last_error: string | null;
  cost_usd: number | null;
  tokens: number | null;
  turns: number | null;
  duration_ms: number | null;
}

describe('the coding loop, with fake CLIs on PATH, in a git repository', { timeout: 300_000 }, () => {
  it('runs the presets, reads their figures, feeds the last iteration back, and checkpoints each iteration', () => {
    const ws = codingWorkspace();
    const fakes = installFakeClis(ws);
    const file = writeQueue(ws, 'p', {
      project: 'p',
      features: [
        task('A', 'claude', 'promise-on-2', { max_iterations: 3 }),
        task('CX', 'codex', 'promise-on-2', { max_iterations: 3 }),
        task('GM', 'gemini', 'promise-on-2', { max_iterations: 3 }),
        task('AD', 'aider', 'promise-on-2', { max_iterations: 3 }),
        task('ECHO', 'claude', 'echo-promise', { max_iterations: 1 }),
        task('RL', 'claude', 'rate-limit-then-ok', { max_iterations: 1 }),
      ],
    });
    const run = runCli(['--project', 'p'], { cwd: ws, env: { ...fakes.env('promise-on-2'), MY_API_KEY: 'sk-test-0123456789abcdef' }, timeoutMs: 240_000 });
    expect(run.code, run.stdout + run.stderr).toBe(1); // ECHO failed
    expect(readJson(file).features.map((t: { status: string }) => t.status)).toEqual(['complete', 'complete', 'complete', 'complete', 'failed', 'complete']);

    // The live view: the agent's own lines, tool calls, the countdown of a rate limit, the figures.
    expect(run.stdout).toContain('→ Bash npm test');
    expect(run.stdout).toMatch(/⏳ rate limited \(.*429.*\): retrying in 1s \(retry 1\/3\)/);
    expect(run.stdout).toMatch(/\$0\.0100 · 1\.5k tok · 3 turns · checkpoint [0-9a-f]{12}/);

    // The second prompt carried what the first left; the same in AUTONOMOUS_LOOP_LAST_ERROR.
    const calls = fakeCalls(fakes.state).filter((c) => c.task === 'A');
    expect(calls.map((c) => c.call)).toEqual([1, 2]);
    expect(calls[0]?.args).toEqual(['-p', '--output-format', 'stream-json', '--verbose', '--permission-mode', 'acceptEdits']);
    expect(calls[0]?.prompt).toContain('Make A work.');
    expect(calls[0]?.prompt).not.toContain('did not finish');
    expect(calls[1]?.prompt).toContain('The last iteration did not finish the task: iteration 1 did not emit <promise>DONE</promise>');
    expect(calls[1]?.prompt).toContain('Implemented half of it; tests still fail.');
    expect(calls[1]?.lastError).toBe('iteration 1 did not emit <promise>DONE</promise>');
    expect(fakeCalls(fakes.state).filter((c) => c.task === 'RL')).toHaveLength(2); // retried, one iteration

    const status = JSON.parse(runCli(['status', '--project', 'p', '--json'], { cwd: ws }).stdout) as { tasks: StatusTask[] };
    const byId = new Map(status.tasks.map((t) => [t.id, t]));
    expect(byId.get('A')).toMatchObject({ status: 'complete', iterations: 2, cost_usd: 0.02, tokens: 3000, turns: 6 });
    expect(byId.get('CX')).toMatchObject({ status: 'complete', iterations: 2, cost_usd: null, tokens: 4800, turns: 2 });
    expect(byId.get('GM')).toMatchObject({ status: 'complete', iterations: 2, tokens: 1800 });
    expect(byId.get('AD')).toMatchObject({ status: 'complete', iterations: 2, cost_usd: 0.04, tokens: 5500 });
    expect(byId.get('ECHO')).toMatchObject({ status: 'failed', iterations: 1, reason: 'no promise after 1 iteration(s)' });
    expect(byId.get('RL')).toMatchObject({ status: 'complete', iterations: 1 });
    expect(byId.get('A')?.duration_ms).toBeGreaterThan(0);

    // Checkpoints: one commit per iteration, named, on the task's own branch (merged), with the agent's work only.
    const history = JSON.parse(runCli(['history', '--iterations', '--project', 'p', '--task', 'A', '--json'], { cwd: ws }).stdout) as { iterations: { n: number; checkpoint: string; checkpoint_branch: string; session_id: string; retries: number }[] };
    expect(history.iterations.map((i) => i.n)).toEqual([1, 2]);
    expect(history.iterations.map((i) => i.checkpoint_branch)).toEqual(['loop/p/A', 'loop/p/A']);
    expect(history.iterations.map((i) => i.session_id)).toEqual(['sess-1', 'sess-2']);
    const [first, second] = history.iterations;
    expect(git(ws, 'log', '--format=%s', '-1', first?.checkpoint ?? '')).toBe('autonomous-loop: A iteration 1/3 (PASS)');
    expect(git(ws, 'log', '--format=%s', '-1', second?.checkpoint ?? '')).toBe('autonomous-loop: A iteration 2/3 (PASS, promise kept)');
    expect(git(ws, 'show', '--name-only', '--format=', second?.checkpoint ?? '')).toBe('work-A.txt');
    const everyCommitted = git(ws, 'log', '--name-only', '--format=');
    expect(everyCommitted).not.toContain('.aibrain');
    expect(everyCommitted).not.toContain('work_queue_p.json');
    const rl = JSON.parse(runCli(['history', '--iterations', '--project', 'p', '--task', 'RL', '--json'], { cwd: ws }).stdout) as { iterations: { retries: number }[] };
    expect(rl.iterations[0]?.retries).toBe(1);

    // Logs: the full output of an iteration, redacted.
    const logs1 = runCli(['logs', 'A', '--project', 'p', '--iteration', '1'], { cwd: ws });
    expect(logs1.code, logs1.stderr).toBe(0);
    expect(logs1.stdout).toMatch(/^Looking at the task\. key=\[REDACTED\]\n→ Bash npm test\nImplemented half of it; tests still fail\.\n✓ done in 3 turn\(s\), \$0\.0100\n── A iteration 1: PASS · \$0\.0100 · 1\.5k tok · 3 turns · \d+s · checkpoint [0-9a-f]{12} ──\n$/);
    const raw = runCli(['logs', 'A', '--project', 'p', '--iteration', '1', '--raw'], { cwd: ws }).stdout;
    expect(raw).toContain('"type":"result"');
    expect(raw).not.toContain('sk-test-0123456789abcdef');
    expect(raw).toContain('key=[REDACTED]');
    expect(runCli(['logs', 'A', '--project', 'p'], { cwd: ws }).stdout).toContain('<promise>DONE</promise>');
    expect(runCli(['logs', 'A', '--project', 'p', '--iteration', '7'], { cwd: ws })).toMatchObject({ code: 2 });

    // Revert to iteration 1 with the other tasks' checkpoints merged since: only A's own commit is undone (git revert), theirs stay (issue 26).
    const revert = runCli(['revert', 'A', '--project', 'p', '--iteration', '1', '--by', 'dana', '--yes'], { cwd: ws });
    expect(revert.code, revert.stdout + revert.stderr).toBe(0);
    expect(revert.stdout).toMatch(/kept: [0-9a-f]{12} autonomous-loop: RL iteration 1\/1 .*autonomous-loop: CX iteration 1\/3 \(PASS\)/);
    expect(git(ws, 'log', '--format=%s', '-1')).toBe('Revert "autonomous-loop: A iteration 2/3 (PASS, promise kept)"');
    expect(readFileSync(path.join(ws, 'work-A.txt'), 'utf8')).toBe('call 1\n');
    expect(readFileSync(path.join(ws, 'work-RL.txt'), 'utf8')).toBe('call 2\n');
    expect(first?.checkpoint).toMatch(/^[0-9a-f]{40}$/);
  });

  it('stops a task at its budget, with that reason, and ends a stuck task early with the repeated line', () => {
    const ws = codingWorkspace();
    const fakes = installFakeClis(ws);
    writeQueue(ws, 'p', {
      project: 'p',
      features: [
        task('COST', 'claude', 'cost', { max_iterations: 5, max_cost_usd: 0.5 }),
        task('TOKENS', 'claude', 'cost', { max_iterations: 5, max_tokens: 2500 }),
        task('STUCK', 'claude', 'same-failure', { max_iterations: 10 }),
        task('SLOW', 'claude', 'slow', { max_iterations: 5, max_runtime: '2s', stuck_after: 'never' }),
      ],
    });
    const run = runCli(['--project', 'p'], { cwd: ws, env: fakes.env('cost'), timeoutMs: 240_000 });
    expect(run.code, run.stdout + run.stderr).toBe(1);
    const status = JSON.parse(runCli(['status', '--project', 'p', '--json'], { cwd: ws }).stdout) as { tasks: StatusTask[] };
    const byId = new Map(status.tasks.map((t) => [t.id, t]));
    expect(byId.get('COST')).toMatchObject({ status: 'failed', iterations: 2, reason: 'budget spent: max_cost_usd $0.5000 (spent $0.6000 over 2 iteration(s))', cost_usd: 0.6 });
    expect(byId.get('TOKENS')).toMatchObject({ status: 'failed', iterations: 2, reason: 'budget spent: max_tokens 2500 (used 3000 over 2 iteration(s))' });
    expect(byId.get('STUCK')).toMatchObject({ status: 'failed', iterations: 3 });
    expect(byId.get('STUCK')?.reason).toBe('stuck: the same failure 3 iterations in a row: claude: exited with code 1: Error: tests failed: 3 failing');
    expect(byId.get('SLOW')?.status).toBe('failed');
    expect(byId.get('SLOW')?.reason).toMatch(/^budget spent: max_runtime 2s \(ran \ds over [12] iteration\(s\)\)$/);
    expect(fakeCalls(fakes.state).filter((c) => c.task === 'STUCK')).toHaveLength(3);
    const stops = JSON.parse(runCli(['history', '--iterations', '--project', 'p', '--json'], { cwd: ws }).stdout) as { iterations: { task_id: string; stop_reason: string | null }[] };
    expect(stops.iterations.filter((i) => i.stop_reason).map((i) => `${i.task_id}:${i.stop_reason}`)).toEqual(['COST:budget:cost', 'TOKENS:budget:tokens', 'STUCK:stuck', 'SLOW:budget:runtime']);
  });

  it('--max-cost stops the run once it has spent that much; the rest stays pending', () => {
    const ws = codingWorkspace();
    const fakes = installFakeClis(ws);
    const file = writeQueue(ws, 'p', { project: 'p', features: [task('ONE', 'claude', 'cost', { max_iterations: 2, stuck_after: 'never' }), task('TWO', 'claude', 'cost', { max_iterations: 2 })] });
    const run = runCli(['--project', 'p', '--max-cost', '0.5'], { cwd: ws, env: fakes.env('cost') });
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(readJson(file).features.map((t: { status: string }) => t.status)).toEqual(['failed', undefined]); // no status written for a task that never started
    const status = JSON.parse(runCli(['status', '--project', 'p', '--json'], { cwd: ws }).stdout) as { tasks: StatusTask[] };
    expect(status.tasks[1]).toMatchObject({ id: 'TWO', status: 'pending', iterations: 0, reason: 'the run reached --max-cost $0.5 (spent $0.6000)' });
  });

  it('never commits what a person had staged or changed before the task: the task works in its own worktree', () => {
    const ws = codingWorkspace();
    const fakes = installFakeClis(ws);
    writeFileSync(path.join(ws, 'notes.md'), 'mine\n');
    git(ws, 'add', 'notes.md');
    writeFileSync(path.join(ws, 'README.md'), '# app, edited by a person\n');
    writeQueue(ws, 'p', { project: 'p', features: [task('A', 'claude', 'promise-on-2', { max_iterations: 3 })] });
    const run = runCli(['--project', 'p'], { cwd: ws, env: fakes.env('promise-on-2') });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(git(ws, 'log', '--name-only', '--format=', 'HEAD~2..HEAD')).toBe('work-A.txt\nwork-A.txt'); // the two checkpoints: the agent's work only
    expect(git(ws, 'diff', '--cached', '--name-only')).toBe('notes.md'); // still staged, as the person left it
    expect(git(ws, 'diff', '--name-only')).toBe('README.md');
    expect(git(ws, 'log', '--format=%s', '-2')).toBe('autonomous-loop: A iteration 2/3 (PASS, promise kept)\nautonomous-loop: A iteration 1/3 (PASS)');
  });

  it("checkpoint_branch: run gives way to the task's own branch; a task that says never is committed once, when it completes", () => {
    const ws = codingWorkspace('    checkpoint_branch: run\n');
    const fakes = installFakeClis(ws);
    writeQueue(ws, 'p', { project: 'p', features: [task('A', 'claude', 'promise-on-2', { max_iterations: 3 }), task('B', 'claude', 'promise-on-2', { max_iterations: 3, checkpoint: 'never' })] });
    const run = runCli(['--project', 'p'], { cwd: ws, env: fakes.env('promise-on-2') });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(git(ws, 'symbolic-ref', '--short', 'HEAD')).toBe('main');
    expect(git(ws, 'log', '--format=%s', 'loop/p/A')).toMatch(/^autonomous-loop: A iteration 2\/3 \(PASS, promise kept\)\nautonomous-loop: A iteration 1\/3 \(PASS\)\n/);
    expect(git(ws, 'log', '--format=%s', '--no-merges', 'main').split('\n').filter((s) => s.startsWith('autonomous-loop: B'))).toEqual(['autonomous-loop: B iteration 2/3 (PASS, promise kept)']);
    expect(git(ws, 'status', '--porcelain', '--', 'work-A.txt', 'work-B.txt')).toBe('');
    expect(readFileSync(path.join(ws, 'work-B.txt'), 'utf8')).toBe('call 2\n');
  });
});

describe('watching and resuming', () => {
  it('logs --follow prints each iteration as it is written, until the task stops; resume passes the last session', async () => {
    const ws = codingWorkspace('    resume: true\n');
    const fakes = installFakeClis(ws);
    writeQueue(ws, 'p', { project: 'p', features: [task('W', 'claude', 'slow', { max_iterations: 2, stuck_after: 'never' })] });
    const env = fakes.env('slow');
    const run = startCli(['--project', 'p'], { cwd: ws, env });
    await waitFor(() => fakeCalls(fakes.state).length > 0, 20_000, 'the first call');
    const follow = startCli(['logs', 'W', '--project', 'p', '--follow'], { cwd: ws, env });
    expect(await run.exited).toBe(1);
    expect(await follow.exited).toBe(0);
    const followed = follow.output();
    expect(followed).toContain('Working, step 1.');
    expect(followed).toContain('── W iteration 2 ──');
    expect(followed).toContain('Working, step 2.');
    const calls = fakeCalls(fakes.state);
    expect(calls[0]?.args).not.toContain('--resume');
    expect(calls[1]?.args.slice(-2)).toEqual(['--resume', 'sess-1']);
  });
});

describe('crashes and concurrency', () => {
  it('after kill -9 mid-iteration, the resumed run redoes that iteration only; checkpoints and figures are not doubled', async () => {
    const ws = codingWorkspace();
    const fakes = installFakeClis(ws);
    writeQueue(ws, 'p', { project: 'p', features: [task('K', 'claude', 'slow', { max_iterations: 3, stuck_after: 'never' })] });
    const env = fakes.env('slow');
    const first = startCli(['--project', 'p'], { cwd: ws, env });
    await waitFor(() => fakeCalls(fakes.state).length >= 2, 30_000, 'the second iteration');
    first.kill('SIGKILL');
    await first.exited;
    const resumed = runCli(['--project', 'p'], { cwd: ws, env });
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(1);
    const history = JSON.parse(runCli(['history', '--iterations', '--project', 'p', '--json'], { cwd: ws }).stdout) as { iterations: { n: number; state: string; checkpoint: string | null; cost_usd: number | null }[] };
    expect(history.iterations.map((i) => `${i.n}:${i.state}`)).toEqual(['1:done', '2:interrupted', '2:done', '3:done']);
    expect(git(ws, 'log', '--format=%s', 'loop/p/K').split('\n').filter((l) => l.startsWith('autonomous-loop: K iteration 1/3'))).toHaveLength(1);
    const status = JSON.parse(runCli(['status', '--project', 'p', '--json'], { cwd: ws }).stdout) as { tasks: StatusTask[] };
    expect(status.tasks[0]).toMatchObject({ status: 'failed', iterations: 3, reason: 'no promise after 3 iteration(s)', cost_usd: 0.003 });
  });

  it('tasks side by side (--concurrency 2) each in its own worktree: all work committed and merged', () => {
    const ws = codingWorkspace();
    const fakes = installFakeClis(ws);
    writeQueue(ws, 'p', { project: 'p', features: [task('X', 'claude', 'promise-on-2'), task('Y', 'claude', 'promise-on-2')] });
    const run = runCli(['--project', 'p', '--concurrency', '2'], { cwd: ws, env: fakes.env('promise-on-2') });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).not.toContain('no checkpoint');
    expect(git(ws, 'status', '--porcelain', '--', 'work-X.txt', 'work-Y.txt')).toBe('');
    const subjects = git(ws, 'log', '--format=%s', '--no-merges', 'main').split('\n').filter((l) => l.startsWith('autonomous-loop:'));
    expect(subjects.length).toBe(4);
    for (const s of subjects) expect(s).toMatch(/^autonomous-loop: [XY] iteration [12]\/3 \(PASS(, promise kept)?\)$/);
  });
});

describe('any argv', () => {
  it("a command task's own timeout_seconds stops an iteration; max_runtime stops the task", () => {
    const ws = makeWorkspace();
    const hang = { id: 'HANG', agent_type: 'command', command: [process.execPath, '-e', 'setTimeout(() => {}, 60000)'], max_iterations: 5, timeout_seconds: 0.5, max_runtime: 1.2 };
    writeQueue(ws, 'p', { project: 'p', features: [hang] });
    const started = Date.now();
    const run = runCli(['--project', 'p'], { cwd: ws });
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(Date.now() - started).toBeLessThan(20_000);
    const status = JSON.parse(runCli(['status', '--project', 'p', '--json'], { cwd: ws }).stdout) as { tasks: StatusTask[] };
    expect(status.tasks[0]?.last_error).toMatch(/timed out after \ds \(stopped\)/);
    expect(status.tasks[0]?.reason).toMatch(/^budget spent: max_runtime 1\.2s \(ran \ds over [23] iteration\(s\)\)$/);
  });
});

describe('any argv in the coding loop', () => {
  it("a CLI that echoes its prompt (with the template's promise instruction) has not kept the promise", () => {
    const ws = codingWorkspace(`  echoer:\n    preset: any\n    command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(path.join(repoRoot, 'test', 'fixtures', 'agents', 'echo-prompt.mjs'))}]\n`);
    writeQueue(ws, 'p', { project: 'p', features: [{ id: 'E', description: 'Say hi.', agent_type: 'echoer', completion_promise: 'DONE', max_iterations: 2 }] });
    const run = runCli(['--project', 'p'], { cwd: ws });
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toContain('print <promise>DONE</promise> on a line of its own');
    const status = JSON.parse(runCli(['status', '--project', 'p', '--json'], { cwd: ws }).stdout) as { tasks: StatusTask[] };
    expect(status.tasks[0]).toMatchObject({ status: 'failed', iterations: 2, reason: 'no promise after 2 iteration(s)' });
  });
});

describe('agents and validate', () => {
  it('lists the presets, which are installed with their versions, and what each runs', () => {
    const ws = codingWorkspace('  mine:\n    preset: claude\n    model: claude-opus-4-1\n    permission_mode: plan\n    resume: true\n');
    const fakes = installFakeClis(ws, ['claude', 'codex']);
    const env = { PATH: `${fakes.bin}${path.delimiter}/usr/bin:/bin` };
    const json = runCli(['agents', '--json'], { cwd: ws, env });
    expect(json.code, json.stderr).toBe(0);
    const agents = (JSON.parse(json.stdout) as { agents: { agentType: string; path: string | null; version: string | null; argv: string[] }[] }).agents;
    const by = new Map(agents.map((a) => [a.agentType, a]));
    expect(by.get('claude')).toMatchObject({ path: path.join(fakes.bin, 'claude'), version: 'claude 9.9.9-fake' });
    expect(by.get('gemini')).toMatchObject({ path: null, version: null });
    expect(by.get('mine')?.argv).toEqual(['claude', '-p', '--output-format', 'stream-json', '--verbose', '--permission-mode', 'plan', '--model', 'claude-opus-4-1']);
    expect(by.get('mine')).toMatchObject({ resume: true, model: 'claude-opus-4-1', permissionMode: 'plan' });
    const text = runCli(['agents'], { cwd: ws, env });
    expect(text.stdout).toMatch(/gemini +Gemini CLI\n {2}NOT on PATH/);
    expect(text.stdout).toContain('runs:   aider --yes-always --no-auto-commits --no-pretty --no-stream --message=<prompt>');
    expect(text.stdout).toContain('with:   model claude-opus-4-1, permission mode plan, resumes the last session');
  });

  it('bad budgets in the queue are bad input, every problem named by its path', () => {
    const ws = codingWorkspace();
    writeQueue(ws, 'p', { project: 'p', features: [task('A', 'claude', 'x', { max_cost_usd: -1, max_tokens: 1.5, max_runtime: 'soon', timeout_seconds: 0, checkpoint: 0, stuck_after: 1 })] });
    const r = runCli(['validate', '--project', 'p'], { cwd: ws });
    expect(r.code).toBe(2);
    for (const field of ['max_cost_usd', 'max_tokens', 'max_runtime', 'timeout_seconds', 'checkpoint', 'stuck_after']) expect(r.stderr).toContain(`features[0].${field}:`);
    expect(r.stderr).toContain("expected seconds, or a duration like '90s', '30m', '2h'");
  });

  it('validate warns about a task whose CLI is not installed; a bad preset in the contract is bad input', () => {
    const ws = codingWorkspace();
    const fakes = installFakeClis(ws, ['claude']);
    writeQueue(ws, 'p', { project: 'p', features: [task('A', 'claude', 'x'), task('B', 'gemini', 'x')] });
    const ok = runCli(['validate', '--project', 'p'], { cwd: ws, env: { PATH: `${fakes.bin}${path.delimiter}/usr/bin:/bin` } });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toBe("warning: features[1] (B, agent gemini): 'gemini' is not on PATH\n");
    const bad = codingWorkspace('  mine:\n    preset: cursor\n    prompt_template: "{description} {last_eror}"\n');
    writeQueue(bad, 'p', { project: 'p', features: [task('A', 'claude', 'x')] });
    const refused = runCli(['validate', '--project', 'p'], { cwd: bad });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("agents.mine.preset: unknown preset 'cursor' (expected one of claude, codex, gemini, aider, any)");
    expect(refused.stderr).toContain('agents.mine.prompt_template: unknown placeholder {last_eror}');
  });
});
