import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killPtys, startCliInPty } from '../helpers/pty.js';
import { makeWorkspace, nodeTask, readJson, removeWorkspaces, runCli, writeQueue } from '../helpers/workspace.js';

afterEach(() => {
  killPtys();
  removeWorkspaces();
});

const decisions = (ws: string): Record<string, unknown>[] =>
  existsSync(path.join(ws, '.aibrain', 'decisions.jsonl'))
    ? readFileSync(path.join(ws, '.aibrain', 'decisions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l))
    : [];

const cascade = {
  project: 'shop',
  features: [
    { id: 'DEPLOY-DEV-001', agent_type: 'noop', environment: 'development', version: '1.2.0', completion_promise: 'DEPLOYMENT_COMPLETE' },
    { id: 'DEPLOY-STAGING-001', agent_type: 'noop', environment: 'staging', version: '1.2.0', depends_on: ['DEPLOY-DEV-001'] },
    { id: 'DEPLOY-PROD-001', agent_type: 'noop', environment: 'production', version: '1.2.0', depends_on: ['DEPLOY-STAGING-001'], requires_approval: true, run_migrations: true, migrations_path: 'migrations' },
    { id: 'NOTIFY', agent_type: 'noop', depends_on: ['DEPLOY-PROD-001'] },
  ],
};

describe('prompts in a terminal', () => {
  it('Y approves production, on the record; the box shows what is being approved', async () => {
    const ws = makeWorkspace();
    const file = writeQueue(ws, 'shop', cascade);
    const pty = startCliInPty(['--project', 'shop', '--by', 'ana'], { cwd: ws });
    await pty.expect('APPROVAL REQUIRED'); // staging, first time
    await pty.expect('(y/N)');
    pty.send('y\r');
    await pty.expect('PRODUCTION DEPLOYMENT APPROVAL REQUIRED');
    for (const text of ['Environment:  PRODUCTION', 'Version:      1.2.0', 'Project:      shop', 'Migrations:   YES (path: migrations)', 'the task requires approval', 'Pre-flight:', 'WARNING: Production deployment requires explicit approval']) {
      expect(pty.screen()).toContain(text);
    }
    await pty.expect('(y/N)');
    pty.send('y\r');
    expect(await pty.exited).toBe(0);
    expect(readJson(file).features.map((t: { status: string }) => t.status)).toEqual(['complete', 'complete', 'complete', 'complete']);
    const d = decisions(ws);
    expect(d.map((r) => [r.task_id, r.decision, r.by])).toEqual([
      ['DEPLOY-STAGING-001', 'approve', 'ana'],
      ['DEPLOY-PROD-001', 'approve', 'ana'],
    ]);
    expect(d[1]).toMatchObject({ environment: 'production', version: '1.2.0', project: 'shop' });
    expect(typeof d[1]!.os_user).toBe('string');
  });

  it('N rejects: the task is blocked, its dependents skipped, the rejection recorded', async () => {
    const ws = makeWorkspace();
    const file = writeQueue(ws, 'shop', cascade);
    const pty = startCliInPty(['--project', 'shop', '--yes', '--by', 'bo'], { cwd: ws });
    await pty.expect('PRODUCTION DEPLOYMENT APPROVAL REQUIRED'); // --yes took staging, never production
    await pty.expect('(y/N)');
    pty.send('n\r');
    expect(await pty.exited).toBe(1);
    expect(readJson(file).features.map((t: { status: string }) => t.status)).toEqual(['complete', 'complete', 'blocked', 'skipped']);
    expect(pty.screen()).toContain('P blocked: rejected by bo'.replace('P ', 'DEPLOY-PROD-001 '));
    expect(decisions(ws).map((r) => [r.decision, r.by])).toEqual([
      ['approve', 'bo (--yes)'],
      ['reject', 'bo'],
    ]);
  });

  it('an unanswered prompt becomes awaiting_approval after --approval-timeout, never approval', async () => {
    const ws = makeWorkspace();
    const file = writeQueue(ws, 'shop', { features: [cascade.features[2]!] });
    writeQueue(ws, 'shop', { features: [{ ...cascade.features[2], depends_on: [] }] });
    const pty = startCliInPty(['--project', 'shop', '--approval-timeout', '1'], { cwd: ws });
    expect(await pty.exited).toBe(3);
    expect(pty.screen()).toMatch(/\[answer by \d\d:\d\d:\d\d, in 1s; then it waits for 'approve'\]/);
    expect(readJson(file).features[0].status).toBe('awaiting_approval');
    expect(decisions(ws)).toEqual([]);
  });

  it('BLOCKED: (R)evert undoes the task and blocks it', async () => {
    const ws = makeWorkspace();
    git(ws, 'init', '-q');
    writeFileSync(path.join(ws, 'mine.txt'), 'a person’s file\n');
    git(ws, 'add', 'mine.txt');
    git(ws, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'start');
    writeFileSync(path.join(ws, 'mine.txt'), 'a person’s uncommitted edit\n');
    const file = writeQueue(ws, 'p', { features: [nodeTask('MIGRATE', 'blocked.mjs'), { id: 'AFTER', agent_type: 'noop', depends_on: ['MIGRATE'] }] });
    const pty = startCliInPty(['--project', 'p', '--by', 'cy'], { cwd: ws });
    await pty.expect('THE AGENT BLOCKED THE TASK');
    await pty.expect('(R)evert / (O)verride / (A)bort');
    expect(pty.screen()).toContain('DROP TABLE users in 003_drop.sql');
    pty.send('r\r');
    expect(await pty.exited).toBe(1);
    expect(existsSync(path.join(ws, 'created-by-task.txt'))).toBe(false);
    expect(readFileSync(path.join(ws, 'mine.txt'), 'utf8')).toBe('a person’s uncommitted edit\n');
    expect(readJson(file).features.map((t: { status: string }) => t.status)).toEqual(['blocked', 'skipped']);
    expect(decisions(ws).map((r) => [r.decision, r.by])).toEqual([['revert', 'cy']]);
  });

  it('BLOCKED: (O)verride needs a reason, records it, and the task goes on as if it passed', async () => {
    const ws = makeWorkspace();
    const file = writeQueue(ws, 'p', { features: [nodeTask('MIGRATE', 'blocked.mjs')] });
    const pty = startCliInPty(['--project', 'p', '--by', 'di'], { cwd: ws });
    await pty.expect('(R)evert / (O)verride / (A)bort');
    pty.send('o\r');
    await pty.expect('Reason for the override');
    pty.send('\r'); // empty: refused
    await pty.expect('give a reason');
    pty.send('users table is a leftover copy\r');
    expect(await pty.exited).toBe(0);
    expect(readJson(file).features[0].status).toBe('complete');
    expect(decisions(ws).map((r) => [r.decision, r.by, r.reason])).toEqual([['override', 'di', 'users table is a leftover copy']]);
  });

  it('BLOCKED: (A)bort stops the run with exit 4 and a later run resumes', async () => {
    const ws = makeWorkspace();
    const file = writeQueue(ws, 'p', { features: [nodeTask('MIGRATE', 'blocked.mjs', { max_iterations: 2 }), { id: 'OTHER', agent_type: 'noop' }] });
    const pty = startCliInPty(['--project', 'p', '--by', 'ed'], { cwd: ws });
    await pty.expect('(R)evert / (O)verride / (A)bort');
    pty.send('a\r');
    expect(await pty.exited).toBe(4);
    expect(pty.screen()).toContain('aborted by ed');
    expect(readJson(file).features[0].status ?? 'pending').toBe('pending');
    expect(decisions(ws).map((r) => r.decision)).toEqual(['abort']);
    const again = runCli(['--project', 'p'], { cwd: ws }); // no terminal: BLOCKED stops the task, never an override
    expect(again.code).toBe(1);
    expect(readJson(file).features.map((t: { status: string }) => t.status)).toEqual(['blocked', 'complete']);
    expect(decisions(ws).map((r) => r.decision)).toEqual(['abort', 'veto']);
  });
});

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', args, { cwd, stdio: 'ignore' });
}
