import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { demoPorts, getJson, makeTempWorkspace, removeDemoWorkspaces, writeDemoProject } from '../agents/helpers/demo-workspace.js';
import { killTmuxSessions, startCliInTmux } from '../helpers/tmux.js';
import { readJson, repoRoot, runCli } from '../helpers/workspace.js';

afterEach(async () => {
  killTmuxSessions();
  await removeDemoWorkspaces();
});

const production = (file: string) => readJson(file).deployments.filter((r: { environment: string }) => r.environment === 'production');

const failingProduction = (yaml: string): string =>
  yaml.replace(/(production:\n\s+port: \d+)/, '$1\n    health_check:\n      url: "http://127.0.0.1:${PORT}/no-such-page"\n      retries: 1\n      backoff_seconds: 0.05');

describe('production, when it goes wrong', () => {
  it('at a terminal: the rollback is offered, then retry or leave it; N leaves it, on the record', async () => {
    const ws = makeTempWorkspace('al-prodtty-');
    writeDemoProject(ws, 'demo', await demoPorts(), failingProduction);
    copyFileSync(path.join(repoRoot, 'examples', 'demo', 'tasks', 'work_queue_demo.json'), path.join(ws.tasksDir, 'work_queue_demo.json'));
    const t = startCliInTmux(['--project', 'demo', '--yes', '--by', 'ana'], { cwd: ws.root });
    await t.expect('Deploy DEPLOY-PROD-001 to PRODUCTION? (y/N)', 90_000);
    t.send('y', 'Enter');
    await t.expect('Roll back production? (y/N)', 60_000);
    expect(t.screen()).toContain('Failed: health check failed');
    t.send('n', 'Enter');
    await t.expect('Retry the PRODUCTION deployment of 1.1.0? (y/N)', 30_000);
    expect(t.screen()).toContain('N: leave it as it is (the task fails)');
    t.send('n', 'Enter');
    expect(await t.exited()).toBe(1);
    expect(t.screen()).toContain('production deployment failed and was left as it is by ana');
    expect(production(ws.deploymentsFile)).toHaveLength(1);
    const decisions = readFileSync(ws.decisionsFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { decision: string; task_id: string });
    expect(decisions.filter((d) => d.task_id === 'DEPLOY-PROD-001').map((d) => d.decision)).toEqual(['approve', 'reject']);
  }, 240_000);

  it('a failed production deployment is never retried by itself: it waits for a person, and status tells the truth', async () => {
    const ws = makeTempWorkspace('al-prodfail-');
    const ports = await demoPorts();
    // Production's health check asks for a page the app does not have: every production deploy fails it.
    writeDemoProject(ws, 'demo', ports, failingProduction);
    const queue = path.join(ws.tasksDir, 'work_queue_demo.json');
    copyFileSync(path.join(repoRoot, 'examples', 'demo', 'tasks', 'work_queue_demo.json'), queue);
    const cwd = ws.root;
    expect(runCli(['--project', 'demo', '--yes'], { cwd, timeoutMs: 120_000 }).code).toBe(3);
    expect(runCli(['approve', 'DEPLOY-PROD-001', '--by', 'ana'], { cwd }).code).toBe(0);

    const run = runCli(['--project', 'demo'], { cwd, timeoutMs: 120_000 });
    expect(run.code, run.stdout + run.stderr).toBe(3);
    expect(production(ws.deploymentsFile)).toHaveLength(1); // one attempt, not three
    const status = JSON.parse(runCli(['status', '--json'], { cwd }).stdout);
    const prodTask = status.tasks.find((t: { id: string }) => t.id === 'DEPLOY-PROD-001');
    expect(prodTask.status).toBe('awaiting_approval');
    expect(prodTask.reason).toMatch(/^production deployment of 1\.1\.0 failed \(health check failed: .*\); a retry needs a person's approval/);
    expect(status.environments).toEqual(
      expect.arrayContaining([expect.objectContaining({ environment: 'production', state: 'FAILED', version: '1.1.0', last_good: null })]),
    );
    expect(runCli(['status'], { cwd }).stdout).toMatch(/! production +1\.1\.0 +FAILED: health check failed/);

    // The approval that let the first attempt run is used: the next run does not redeploy by itself.
    expect(runCli(['--project', 'demo'], { cwd, timeoutMs: 120_000 }).code).toBe(3);
    expect(production(ws.deploymentsFile)).toHaveLength(1);
    // A person's new approval: one more attempt, and no more.
    expect(runCli(['approve', 'DEPLOY-PROD-001', '--by', 'ana', '--comment', 'one more try'], { cwd }).code).toBe(0);
    expect(runCli(['--project', 'demo'], { cwd, timeoutMs: 120_000 }).code).toBe(3);
    expect(production(ws.deploymentsFile)).toHaveLength(2);
  }, 240_000);

  it('production rolls back without a terminal through the same approval: a request, approve by an approver, then it runs once', async () => {
    const ws = makeTempWorkspace('al-prodrb-');
    const ports = await demoPorts();
    writeDemoProject(ws, 'demo', ports);
    const contract = path.join(ws.governanceDir, 'contracts', 'operator-team.yaml');
    mkdirSync(path.dirname(contract), { recursive: true });
    writeFileSync(contract, readFileSync(path.join(repoRoot, 'governance', 'contracts', 'operator-team.yaml'), 'utf8').replace('approvers: []', 'approvers: [ana]'));
    copyFileSync(path.join(repoRoot, 'examples', 'demo', 'tasks', 'work_queue_demo.json'), path.join(ws.tasksDir, 'work_queue_demo.json'));
    const cwd = ws.root;
    expect(runCli(['--project', 'demo', '--yes'], { cwd, timeoutMs: 120_000 }).code).toBe(3);
    expect(runCli(['approve', 'DEPLOY-PROD-001', '--by', 'ana'], { cwd }).code).toBe(0);
    expect(runCli(['--project', 'demo'], { cwd, timeoutMs: 120_000 }).code).toBe(0);

    const request = runCli(['rollback', '--env', 'production', '--to', '1.1.0'], { cwd, timeoutMs: 120_000 });
    expect(request.code).toBe(3);
    expect(request.stdout).toContain('Now: 1.1.0 (healthy)');
    expect(request.stderr).toContain("'autonomous-loop approve ROLLBACK-production-1.1.0 --project demo --by <name>'");
    expect(request.stderr).toContain('(may: ana)');
    const mallory = runCli(['approve', 'ROLLBACK-production-1.1.0', '--by', 'mallory'], { cwd });
    expect(mallory.code).toBe(2);
    expect(mallory.stderr).toContain("'mallory' may not roll back production");
    expect(runCli(['approve', 'ROLLBACK-production-1.1.0', '--by', 'ana', '--comment', 'back to the known good'], { cwd }).stdout).toContain('runs it (once)');
    const rolled = runCli(['rollback', '--env', 'production', '--to', '1.1.0'], { cwd, timeoutMs: 120_000 });
    expect(rolled.code, rolled.stdout + rolled.stderr).toBe(0);
    expect(rolled.stdout).toContain('approved by ana');
    const health = await getJson(`http://127.0.0.1:${ports.production}/health`);
    expect(health.body).toMatchObject({ version: '1.1.0', environment: 'production' });
    expect(production(ws.deploymentsFile).at(-1)).toMatchObject({ status: 'success', approved_by: 'ana', rollback_executed: true });
    // Used once: the same rollback asks again.
    const again = runCli(['rollback', '--env', 'production', '--to', '1.1.0', '--json'], { cwd, timeoutMs: 120_000 });
    expect(again.code).toBe(3);
    expect(JSON.parse(again.stdout)).toMatchObject({ environment: 'production', to: '1.1.0', outcome: 'awaiting_approval', exit_code: 3 });
  }, 240_000);
});
