import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeWorkspace, readJson, removeWorkspaces, runCli, writeQueue } from '../helpers/workspace.js';

afterEach(removeWorkspaces);

const queue = (version = '2.0.0') => ({
  project: 'shop',
  features: [
    { id: 'DEPLOY-DEV-001', agent_type: 'noop', environment: 'dev', version },
    { id: 'DEPLOY-STAGING-001', agent_type: 'noop', environment: 'staging', version, depends_on: ['DEPLOY-DEV-001'] },
    { id: 'DEPLOY-PROD-001', agent_type: 'noop', environment: 'prod', version, depends_on: ['DEPLOY-STAGING-001'], requires_approval: true },
    { id: 'INDEPENDENT', agent_type: 'noop' },
  ],
});
const statuses = (file: string) => readJson(file).features.map((t: { status?: string }) => t.status);

describe('approvals without a terminal', () => {
  it('waits with exit 3 and the exact command, then approve lets the next run proceed', () => {
    const ws = makeWorkspace();
    const file = writeQueue(ws, 'shop', queue());
    const first = runCli(['--project', 'shop', '--yes'], { cwd: ws });
    expect(first.code).toBe(3);
    expect(first.stdout).toContain('approve: autonomous-loop approve DEPLOY-PROD-001 --project shop --by <name>');
    expect(first.stdout.match(/DEPLOY-PROD-001 awaiting approval/g)).toHaveLength(1);
    expect(statuses(file)).toEqual(['complete', 'complete', 'awaiting_approval', 'complete']);
    const approve = runCli(['approve', 'DEPLOY-PROD-001', '--project', 'shop', '--by', 'ana', '--comment', 'checked the dashboards'], { cwd: ws });
    expect(approve.code, approve.stderr).toBe(0);
    const second = runCli(['--project', 'shop'], { cwd: ws });
    expect(second.code, second.stdout).toBe(0);
    expect(statuses(file)).toEqual(['complete', 'complete', 'complete', 'complete']);
    const history = runCli(['history', '--decisions', '--project', 'shop', '--json'], { cwd: ws });
    const d = JSON.parse(history.stdout).decisions;
    expect(d.map((r: { decision: string; by: string }) => [r.decision, r.by]).at(-1)).toEqual(['approve', 'ana']);
    expect(d.at(-1).reason).toBe('checked the dashboards');
    expect(runCli(['history', '--decisions'], { cwd: ws }).stdout).toMatch(/approve\s+DEPLOY-PROD-001\s+by ana/);
  });

  it('without --yes, staging waits the first time too; the rest goes on', () => {
    const ws = makeWorkspace();
    const file = writeQueue(ws, 'shop', queue());
    expect(runCli(['--project', 'shop'], { cwd: ws }).code).toBe(3);
    expect(statuses(file)).toEqual(['complete', 'awaiting_approval', undefined, 'complete']); // no status written where none changed
  });

  it('no flag or environment variable gets production through', () => {
    const ws = makeWorkspace();
    const file = writeQueue(ws, 'shop', queue());
    const attempts: [string[], Record<string, string>][] = [
      [['--yes'], {}],
      [['-y', '--non-interactive'], {}],
      [['--yes', '--approval-timeout', '1'], {}],
      [['--yes'], { AUTONOMOUS_LOOP_APPROVE: '1', AUTONOMOUS_LOOP_YES: 'true', YES: '1', APPROVE: 'yes', CI: 'true', FORCE: '1' }],
      [['--yes', '--by', 'root'], { AUTONOMOUS_LOOP_NON_INTERACTIVE: '0' }],
    ];
    for (const [flags, env] of attempts) {
      const r = runCli(['--project', 'shop', ...flags], { cwd: ws, env });
      expect(r.code, flags.join(' ')).toBe(3);
      expect(statuses(file)[2]).toBe('awaiting_approval');
    }
    const decisions = readFileSync(path.join(ws, '.aibrain', 'decisions.jsonl'), 'utf8');
    expect(decisions).not.toContain('"task_id":"DEPLOY-PROD-001"');
    // a contract cannot waive it either
    mkdirSync(path.join(ws, 'governance', 'contracts'), { recursive: true });
    writeFileSync(
      path.join(ws, 'governance', 'contracts', 'operator-team.yaml'),
      'version: 1\nenvironments:\n  development: {auto_deploy: true, auto_rollback: true, approval: never}\n  staging: {auto_deploy: true, auto_rollback: true, approval: never}\n  production: {auto_deploy: true, auto_rollback: true, approval: never}\n',
    );
    const r = runCli(['--project', 'shop', '--yes'], { cwd: ws });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("environments.production.approval: must be 'always'");
  });

  it('an approval holds only for what was approved: a new version asks again', () => {
    const ws = makeWorkspace();
    const file = writeQueue(ws, 'shop', queue('2.0.0'));
    runCli(['--project', 'shop', '--yes'], { cwd: ws });
    expect(runCli(['approve', 'DEPLOY-PROD-001', '--project', 'shop', '--by', 'ana'], { cwd: ws }).code).toBe(0);
    writeFileSync(file, readFileSync(file, 'utf8').replaceAll('"2.0.0"', '"2.0.1"'));
    const r = runCli(['--project', 'shop', '--yes'], { cwd: ws });
    expect(r.code).toBe(3);
    expect(statuses(file)[2]).toBe('awaiting_approval');
  });

  it('reject blocks the task at the next run and skips what depends on it', () => {
    const ws = makeWorkspace();
    const q = queue();
    q.features.push({ id: 'AFTER-PROD', agent_type: 'noop', depends_on: ['DEPLOY-PROD-001'] } as never);
    const file = writeQueue(ws, 'shop', q);
    runCli(['--project', 'shop', '--yes'], { cwd: ws });
    expect(runCli(['reject', 'DEPLOY-PROD-001', '--project', 'shop', '--by', 'bo', '--comment', 'error rate'], { cwd: ws }).code).toBe(0);
    const r = runCli(['--project', 'shop'], { cwd: ws });
    expect(r.code).toBe(1);
    expect(statuses(file)).toEqual(['complete', 'complete', 'blocked', 'complete', 'skipped']);
    expect(r.stdout).toContain('rejected by bo: error rate');
  });

  it('only the contract’s approvers may approve production', () => {
    const ws = makeWorkspace();
    writeQueue(ws, 'shop', queue());
    mkdirSync(path.join(ws, 'governance', 'contracts'), { recursive: true });
    const contract = readFileSync(path.join(__dirname, '..', '..', 'governance', 'contracts', 'operator-team.yaml'), 'utf8').replace('approvers: []', 'approvers: [alice, bob]');
    writeFileSync(path.join(ws, 'governance', 'contracts', 'operator-team.yaml'), contract);
    // the gate is reached first: a production approval signs the subject it stored
    expect(runCli(['--project', 'shop', '--yes'], { cwd: ws }).code).toBe(3);
    const mallory = runCli(['approve', 'DEPLOY-PROD-001', '--project', 'shop', '--by', 'mallory'], { cwd: ws });
    expect(mallory.code).toBe(2);
    expect(mallory.stderr).toContain("'mallory' may not approve production (may: alice, bob)");
    expect(runCli(['approve', 'DEPLOY-PROD-001', '--project', 'shop', '--by', 'alice'], { cwd: ws }).code).toBe(0);
    expect(runCli(['approve', 'NOPE', '--project', 'shop', '--by', 'alice'], { cwd: ws }).code).toBe(2);
  });
});
