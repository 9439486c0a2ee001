import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeWorkspace, readJson, removeWorkspaces, runCli, startCli, waitFor, writeQueue } from '../helpers/workspace.js';

afterEach(removeWorkspaces);

const contractWith = (extra: string): string =>
  `version: 1
environments:
  development: { auto_deploy: true, auto_rollback: true, approval: never }
  staging: { auto_deploy: true, auto_rollback: true, approval: first-time }
  production: { auto_deploy: false, auto_rollback: false, approval: always }
${extra}
`;

describe('--wait: a gate waits for a person in another shell', () => {
  it('approve from another shell: the waiting run goes on and finishes with exit 0', async () => {
    const ws = makeWorkspace();
    const file = writeQueue(ws, 'p', { features: [{ id: 'GATED', agent_type: 'noop', requires_approval: ['look first'] }, { id: 'AFTER', agent_type: 'noop', depends_on: ['GATED'] }] });
    const run = startCli(['--project', 'p', '--wait'], { cwd: ws });
    await waitFor(() => run.output().includes('waiting for a decision on GATED'), 20_000, 'the run to wait');
    const approve = runCli(['approve', 'GATED', '--by', 'ana'], { cwd: ws });
    expect(approve.code).toBe(0);
    expect(await run.exited).toBe(0);
    expect(readJson(file).features.map((t: { status: string }) => t.status)).toEqual(['complete', 'complete']);
    // The end summary is true at the end: GATED completed, so nothing is waiting.
    const summary = run.output().slice(run.output().lastIndexOf('waiting for a decision on GATED'));
    expect(summary).not.toMatch(/waiting for approval: GATED/);
    expect(summary).not.toMatch(/approve: autonomous-loop approve GATED/);
  });

  it('a decision whose signal never came (`approve` held after storing the status, before the file and the signal): the waiting run takes it at its next look', async () => {
    const ws = makeWorkspace();
    const file = writeQueue(ws, 'p', { features: [{ id: 'GATED', agent_type: 'noop', requires_approval: ['look first'] }, { id: 'AFTER', agent_type: 'noop', depends_on: ['GATED'] }] });
    const run = startCli(['--project', 'p', '--wait'], { cwd: ws });
    await waitFor(() => run.output().includes('waiting for a decision on GATED'), 20_000, 'the run to wait');
    const trace = path.join(ws, 'trace.txt');
    const approve = startCli(['approve', 'GATED', '--by', 'ana'], { cwd: ws, env: { AUTONOMOUS_LOOP_PAUSE_AT: 'decision:status-stored:120000', AUTONOMOUS_LOOP_CRASH_TRACE: trace } });
    try {
      await waitFor(() => existsSync(trace) && readFileSync(trace, 'utf8').includes('decision:status-stored:paused'), 20_000, 'approve to store the status and hold');
      // No signal and no file edit will come (approve dies here): the run reads the waiting task's decision itself.
      const ended = await Promise.race([run.exited, new Promise<'still waiting'>((r) => setTimeout(() => r('still waiting'), 20_000))]);
      expect(ended, run.output()).toBe(0);
      expect(approve.exitCode, 'approve is still held before its signal').toBeNull();
    } finally {
      approve.kill('SIGKILL');
      run.kill('SIGKILL');
      await approve.exited;
    }
    expect(run.output()).toMatch(/GATED: approve by ana in another shell or on another machine: awaiting_approval → pending/);
    expect(readJson(file).features.map((t: { status: string }) => t.status)).toEqual(['complete', 'complete']);
  });

  it('reject from another shell: the task is blocked, its dependent skipped, exit 1', async () => {
    const ws = makeWorkspace();
    const file = writeQueue(ws, 'p', { features: [{ id: 'GATED', agent_type: 'noop', requires_approval: true }, { id: 'AFTER', agent_type: 'noop', depends_on: ['GATED'] }] });
    const run = startCli(['--project', 'p', '--wait'], { cwd: ws });
    await waitFor(() => run.output().includes('waiting for a decision'), 20_000, 'the run to wait');
    expect(runCli(['reject', 'GATED', '--by', 'bob'], { cwd: ws }).code).toBe(0);
    expect(await run.exited).toBe(1);
    expect(readJson(file).features.map((t: { status: string }) => t.status)).toEqual(['blocked', 'skipped']);
  });

  it('SIGINT while waiting: exit 130, the task stays awaiting approval, a later run resumes', async () => {
    const ws = makeWorkspace();
    const file = writeQueue(ws, 'p', { features: [{ id: 'GATED', agent_type: 'noop', requires_approval: true }] });
    const run = startCli(['--project', 'p', '--wait'], { cwd: ws });
    await waitFor(() => run.output().includes('waiting for a decision'), 20_000, 'the run to wait');
    run.kill('SIGINT');
    expect(await run.exited).toBe(130);
    expect(readJson(file).features[0].status).toBe('awaiting_approval');
    runCli(['approve', 'GATED', '--by', 'ana'], { cwd: ws });
    expect(runCli(['--project', 'p'], { cwd: ws }).code).toBe(0);
  });
});

describe('notify', () => {
  it("runs the contract's notify argv when a gate opens, with the task in its environment and stdin", () => {
    const ws = makeWorkspace();
    const out = path.join(ws, 'notified.json');
    const script = path.join(ws, 'notify.mjs');
    writeFileSync(script, `import { readFileSync, writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(out)}, JSON.stringify({ env: { event: process.env.AUTONOMOUS_LOOP_EVENT, task: process.env.AUTONOMOUS_LOOP_TASK_ID, version: process.env.AUTONOMOUS_LOOP_VERSION, command: process.env.AUTONOMOUS_LOOP_DECIDE_COMMAND }, stdin: readFileSync(0, 'utf8') }));\n`);
    const contract = path.join(ws, 'governance', 'contracts', 'operator-team.yaml');
    mkdirSync(path.dirname(contract), { recursive: true });
    writeFileSync(contract, contractWith(`notify: [${JSON.stringify(process.execPath)}, ${JSON.stringify(script)}]`));
    writeQueue(ws, 'p', { features: [{ id: 'GATED', agent_type: 'noop', environment: 'staging', version: '2.0.0' }] });
    expect(runCli(['--project', 'p'], { cwd: ws }).code).toBe(3);
    expect(existsSync(out)).toBe(true);
    const got = JSON.parse(readFileSync(out, 'utf8'));
    expect(got.env).toMatchObject({ event: 'gate', task: 'GATED', version: '2.0.0' });
    expect(got.env.command).toContain('autonomous-loop approve GATED --project p');
    expect(JSON.parse(got.stdin)).toMatchObject({ event: 'gate', task_id: 'GATED', environment: 'staging', url: null });
  });

  it("with the contract's console_url, the event carries the gate's page in the console", () => {
    const ws = makeWorkspace();
    const out = path.join(ws, 'notified.json');
    const script = path.join(ws, 'notify.mjs');
    writeFileSync(script, `import { readFileSync, writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(out)}, JSON.stringify({ url: process.env.AUTONOMOUS_LOOP_URL, stdin: readFileSync(0, 'utf8') }));\n`);
    const contract = path.join(ws, 'governance', 'contracts', 'operator-team.yaml');
    mkdirSync(path.dirname(contract), { recursive: true });
    writeFileSync(contract, contractWith(`console_url: https://loop.example.com/\nnotify: [${JSON.stringify(process.execPath)}, ${JSON.stringify(script)}]`));
    writeQueue(ws, 'p', { features: [{ id: 'GATED-1', agent_type: 'noop', environment: 'staging', version: '2.0.0' }] });
    expect(runCli(['--project', 'p'], { cwd: ws }).code).toBe(3);
    const got = JSON.parse(readFileSync(out, 'utf8'));
    expect(got.url).toBe('https://loop.example.com/projects/p/tasks/GATED-1/gate');
    expect(JSON.parse(got.stdin).url).toBe('https://loop.example.com/projects/p/tasks/GATED-1/gate');
    writeFileSync(contract, contractWith('console_url: "javascript:alert(1)"'));
    const bad = runCli(['validate', '--project', 'p'], { cwd: ws });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("console_url: expected the console's address");
  });

  it('a notifier that fails is a warning, not a failed task', () => {
    const ws = makeWorkspace();
    const contract = path.join(ws, 'governance', 'contracts', 'operator-team.yaml');
    mkdirSync(path.dirname(contract), { recursive: true });
    writeFileSync(contract, contractWith('notify: ["no-such-notifier-on-path"]'));
    writeQueue(ws, 'p', { features: [{ id: 'GATED', agent_type: 'noop', requires_approval: true }] });
    const r = runCli(['--project', 'p'], { cwd: ws });
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('! notify (no-such-notifier-on-path) could not start');
  });
});

describe('the cascade is enforced', () => {
  const prodOnly = { features: [{ id: 'BUILD', agent_type: 'noop' }, { id: 'DEPLOY-PROD', agent_type: 'deployment', environment: 'production', version: '1.2.0', depends_on: ['BUILD'] }] };
  const project = 'version: 1\npath: .\nenvironments:\n  staging: {}\n  production: {}\n';

  it('validate and run refuse a production deployment of a version staging never saw, before anything runs', () => {
    const ws = makeWorkspace();
    mkdirSync(path.join(ws, 'governance', 'projects'), { recursive: true });
    writeFileSync(path.join(ws, 'governance', 'projects', 'p.yaml'), project);
    writeQueue(ws, 'p', prodOnly);
    for (const args of [['validate', '--project', 'p'], ['--project', 'p']]) {
      const r = runCli(args, { cwd: ws });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('production deployment of 1.2.0 without staging it first');
    }
    expect(existsSync(path.join(ws, '.aibrain', 'state.db'))).toBe(false);
  });

  it('a staging task of the same version among its dependencies passes; the contract may exempt a project', () => {
    const ws = makeWorkspace();
    mkdirSync(path.join(ws, 'governance', 'projects'), { recursive: true });
    writeFileSync(path.join(ws, 'governance', 'projects', 'p.yaml'), project);
    writeQueue(ws, 'p', { features: [{ id: 'STAGE', agent_type: 'deployment', environment: 'stage', version: '1.2.0' }, { id: 'CHECK', agent_type: 'noop', depends_on: ['STAGE'] }, { ...prodOnly.features[1], depends_on: ['CHECK'] }] });
    expect(runCli(['validate', '--project', 'p'], { cwd: ws }).code).toBe(0);
    writeQueue(ws, 'p', prodOnly);
    const contract = path.join(ws, 'governance', 'contracts', 'operator-team.yaml');
    mkdirSync(path.dirname(contract), { recursive: true });
    writeFileSync(contract, contractWith('cascade:\n  skip_staging_for: [p]'));
    expect(runCli(['validate', '--project', 'p'], { cwd: ws }).code).toBe(0);
  });
});
