import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killPtys, startCliInPty } from '../helpers/pty.js';
import { makeWorkspace, readJson, removeWorkspaces, repoRoot, runCli, writeQueue } from '../helpers/workspace.js';

afterEach(() => {
  killPtys();
  removeWorkspaces();
});

const statuses = (file: string): (string | undefined)[] => readJson(file).features.map((t: { status?: string }) => t.status);
const decisions = (ws: string): Record<string, unknown>[] =>
  readFileSync(path.join(ws, '.aibrain', 'decisions.jsonl'), 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));

function writeContract(ws: string, edit: (text: string) => string): void {
  mkdirSync(path.join(ws, 'governance', 'contracts'), { recursive: true });
  const text = readFileSync(path.join(repoRoot, 'governance', 'contracts', 'operator-team.yaml'), 'utf8');
  writeFileSync(path.join(ws, 'governance', 'contracts', 'operator-team.yaml'), edit(text));
}

/** A project whose production section has commands and whose migrations folder has an up file. */
function writeProject(ws: string): string {
  const app = path.join(ws, 'app');
  mkdirSync(path.join(app, 'migrations'), { recursive: true });
  writeFileSync(path.join(app, 'migrations', '001_init.up.sql'), 'CREATE TABLE t (id int);\n');
  mkdirSync(path.join(ws, 'governance', 'projects'), { recursive: true });
  writeFileSync(
    path.join(ws, 'governance', 'projects', 'shop.yaml'),
    `version: 1\npath: app\nenvironments:\n  production:\n    commands:\n      deploy: ["${process.execPath}", "-e", "0"]\n`,
  );
  return app;
}

const prodTask = (extra: Record<string, unknown> = {}) => ({
  id: 'DEPLOY-PROD-001',
  agent_type: 'noop',
  environment: 'production',
  version: '1.0.0',
  run_migrations: true,
  migrations_path: 'migrations',
  ...extra,
});

describe('who may approve', () => {
  it('the terminal prompt refuses a name not on the approvers: left awaiting approval, nothing recorded', async () => {
    const ws = makeWorkspace();
    writeContract(ws, (t) => t.replace('approvers: []', 'approvers: [ana]'));
    const file = writeQueue(ws, 'shop', { features: [prodTask()] });
    const pty = startCliInPty(['--project', 'shop', '--by', 'mallory'], { cwd: ws });
    await pty.expect('PRODUCTION DEPLOYMENT APPROVAL REQUIRED');
    await pty.expect("'mallory' may not approve production (may: ana)");
    expect(await pty.exited).toBe(3);
    expect(statuses(file)).toEqual(['awaiting_approval']);
    expect(pty.screen()).not.toContain('(y/N)');
  });

  it('rollback of production by a name not on the approvers is refused before anything runs', () => {
    const ws = makeWorkspace();
    writeProject(ws);
    writeContract(ws, (t) => t.replace('approvers: []', 'approvers: [ana]'));
    const r = runCli(['rollback', '--project', 'shop', '--env', 'production', '--to', '0.9.0', '--by', 'mallory'], { cwd: ws });
    // refused before anything runs, and nothing is recorded as mallory's
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("'mallory' may not roll back production (may: ana)");
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(runCli(['history', '--decisions', '--json'], { cwd: ws }).stdout).not.toContain('mallory');
  });

  it('prevent_self_approval: the user who started the run may not approve its production gate', () => {
    const ws = makeWorkspace();
    writeContract(ws, (t) => `${t}\nprevent_self_approval: true\n`);
    writeQueue(ws, 'shop', { features: [prodTask({ run_migrations: false, migrations_path: undefined })] });
    expect(runCli(['--project', 'shop'], { cwd: ws }).code).toBe(3);
    const r = runCli(['approve', 'DEPLOY-PROD-001', '--project', 'shop', '--by', 'ana'], { cwd: ws });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('prevent_self_approval');
  });

  it('the OS user is recorded beside --by', () => {
    const ws = makeWorkspace();
    writeQueue(ws, 'shop', { features: [prodTask({ run_migrations: false, migrations_path: undefined })] });
    runCli(['--project', 'shop'], { cwd: ws });
    const r = runCli(['approve', 'DEPLOY-PROD-001', '--project', 'shop', '--by', 'ana'], { cwd: ws });
    expect(r.code).toBe(0);
    expect(decisions(ws).at(-1)).toMatchObject({ by: 'ana', os_user: expect.any(String) });
  });
});

describe('what an approval covers', () => {
  it('SQL appended to an approved migration asks again, and says what changed', () => {
    const ws = makeWorkspace();
    const app = writeProject(ws);
    const file = writeQueue(ws, 'shop', { features: [prodTask()] });
    expect(runCli(['--project', 'shop'], { cwd: ws }).code).toBe(3);
    expect(runCli(['approve', 'DEPLOY-PROD-001', '--project', 'shop', '--by', 'ana'], { cwd: ws }).code).toBe(0);
    appendFileSync(path.join(app, 'migrations', '001_init.up.sql'), 'DROP TABLE users;\n');
    const r = runCli(['--project', 'shop'], { cwd: ws });
    expect(r.code).toBe(3);
    expect(statuses(file)).toEqual(['awaiting_approval']);
    expect(r.stdout).toContain('changed since ana approved it: migrations: 001_init.up.sql changed');
  });

  it("a changed command or project file command asks again", () => {
    const ws = makeWorkspace();
    writeProject(ws);
    const task = prodTask({ agent_type: 'command', run_migrations: false, migrations_path: undefined, command: [process.execPath, '-e', 'console.log("<promise>DONE</promise>")'], completion_promise: 'DONE' });
    const file = writeQueue(ws, 'shop', { features: [task] });
    expect(runCli(['--project', 'shop'], { cwd: ws }).code).toBe(3);
    expect(runCli(['approve', 'DEPLOY-PROD-001', '--project', 'shop', '--by', 'ana'], { cwd: ws }).code).toBe(0);
    writeQueue(ws, 'shop', { features: [{ ...task, status: 'awaiting_approval', command: [process.execPath, '-e', 'require("fs").writeFileSync("pwned","")'] }] });
    const r = runCli(['--project', 'shop'], { cwd: ws });
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('changed since ana approved it: command');
    expect(statuses(file)).toEqual(['awaiting_approval']);
    // the project file's production commands are part of it too
    expect(runCli(['approve', 'DEPLOY-PROD-001', '--project', 'shop', '--by', 'ana'], { cwd: ws }).code).toBe(0);
    const yaml = path.join(ws, 'governance', 'projects', 'shop.yaml');
    writeFileSync(yaml, readFileSync(yaml, 'utf8').replace('"-e", "0"', '"-e", "1"'));
    const again = runCli(['--project', 'shop'], { cwd: ws });
    expect(again.code).toBe(3);
    expect(again.stdout).toContain("the project file's deploy command for production");
  });
});

describe('an approval is used once', () => {
  it('a production task put back to pending after it completed asks again', () => {
    const ws = makeWorkspace();
    const file = writeQueue(ws, 'shop', {
      features: [
        { id: 'DEV', agent_type: 'noop', environment: 'development', version: '1.0.0' },
        prodTask({ run_migrations: false, migrations_path: undefined, depends_on: ['DEV'] }),
      ],
    });
    expect(runCli(['--project', 'shop'], { cwd: ws }).code).toBe(3);
    expect(runCli(['approve', 'DEPLOY-PROD-001', '--project', 'shop', '--by', 'ops'], { cwd: ws }).code).toBe(0);
    expect(runCli(['--project', 'shop'], { cwd: ws }).code).toBe(0);
    expect(statuses(file)).toEqual(['complete', 'complete']);
    // a stale editor buffer puts the whole cascade back
    const q = readJson(file);
    for (const t of q.features) t.status = 'pending';
    writeFileSync(file, `${JSON.stringify(q, null, 2)}\n`);
    const r = runCli(['--project', 'shop'], { cwd: ws });
    expect(r.code).toBe(3);
    expect(statuses(file)).toEqual(['complete', 'awaiting_approval']);
    expect(r.stdout).toContain('used by an earlier attempt');
  });

  it('--yes never passes a task’s own requires_approval', () => {
    const ws = makeWorkspace();
    const file = writeQueue(ws, 'shop', { features: [{ id: 'RISKY', agent_type: 'noop', requires_approval: true }, { id: 'STAGE', agent_type: 'noop', environment: 'staging', version: '1.0.0' }] });
    const r = runCli(['--project', 'shop', '--yes'], { cwd: ws });
    expect(r.code).toBe(3);
    expect(statuses(file)).toEqual(['awaiting_approval', 'complete']);
    expect(decisions(ws).map((d) => d.task_id)).toEqual(['STAGE']);
    expect(decisions(ws)[0]!.by).not.toContain('unknown');
  });
});
