import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeWorkspace, readJson, removeWorkspaces, runCli, startCli, waitFor, writeQueue } from '../helpers/workspace.js';

afterEach(removeWorkspaces);

// A deployment with migrations whose migrate_up counts its runs in app/migrate.log.
function workspace(): { ws: string; migrations: () => number } {
  const ws = makeWorkspace();
  mkdirSync(path.join(ws, 'app'), { recursive: true });
  mkdirSync(path.join(ws, 'governance', 'projects'), { recursive: true });
  const node = JSON.stringify(process.execPath);
  const up = JSON.stringify("require('fs').appendFileSync('migrate.log', 'up\\n')");
  const status = JSON.stringify("console.log(JSON.stringify({applied: require('fs').existsSync('migrate.log') ? ['001'] : []}))");
  writeFileSync(
    path.join(ws, 'governance', 'projects', 'shop.yaml'),
    [
      'version: 1',
      'path: app',
      'environments:',
      '  development:',
      '    commands:',
      `      deploy: [${node}, "-e", "0"]`,
      `      migrate_up: [${node}, "-e", ${up}]`,
      `      migrate_status: [${node}, "-e", ${status}]`,
      '    health_check:',
      `      command: [${node}, "-e", "0"]`,
      '',
    ].join('\n'),
  );
  const log = path.join(ws, 'app', 'migrate.log');
  return { ws, migrations: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').length : 0) };
}

describe('a step cut off and not safe to redo', () => {
  it('is never redone by itself: the task waits for a person, with an interrupted deployment record; approve lets it run again', () => {
    const { ws, migrations } = workspace();
    const file = writeQueue(ws, 'shop', {
      features: [
        { id: 'DEPLOY-DEV-001', agent_type: 'deployment', environment: 'development', version: '1.0.0', run_migrations: true },
        { id: 'AFTER', agent_type: 'noop', depends_on: ['DEPLOY-DEV-001'] },
      ],
    });
    // killed (SIGKILL) just after migrate_up ran, before the journal heard it finished
    const killed = runCli(['--project', 'shop'], { cwd: ws, env: { AUTONOMOUS_LOOP_CRASH_AT: 'step:migrate:up:done#1' } });
    expect(killed.code).toBeNull();
    expect(migrations()).toBe(1);

    const resumed = runCli(['--project', 'shop'], { cwd: ws });
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(3);
    expect(migrations()).toBe(1);
    expect(readJson(file).features.map((t: { status?: string }) => t.status)).toEqual(['awaiting_approval', undefined]);
    expect(resumed.stdout).toContain("not safe to redo: migrate:up (iteration 1)");
    const records = readJson(path.join(ws, '.aibrain', 'deployments.json')).deployments;
    expect(records.map((d: { status: string }) => d.status)).toEqual(['interrupted']);
    expect(records[0].errors[0]).toContain("step 'migrate:up'");

    // again, and with --yes: still nobody redoes it
    expect(runCli(['--project', 'shop', '--yes'], { cwd: ws }).code).toBe(3);
    expect(migrations()).toBe(1);

    expect(runCli(['approve', 'DEPLOY-DEV-001', '--project', 'shop', '--by', 'ana', '--comment', 'checked: 001 half applied, safe to rerun'], { cwd: ws }).code).toBe(0);
    const after = runCli(['--project', 'shop'], { cwd: ws });
    expect(after.code, after.stdout).toBe(0);
    expect(migrations()).toBe(2);
    expect(readJson(file).features.map((t: { status?: string }) => t.status)).toEqual(['complete', 'complete']);
    expect(readJson(path.join(ws, '.aibrain', 'deployments.json')).deployments.map((d: { status: string }) => d.status)).toEqual(['interrupted', 'success']);
  });
});

describe('a production deploy cut off after it finished', () => {
  it('is not run again without a person: the gate asks again, naming the step', () => {
    const ws = makeWorkspace();
    // the demo's service: a project the production readiness review passes
    cpSync(path.join(__dirname, '..', '..', 'examples', 'demo-app'), path.join(ws, 'app'), { recursive: true });
    mkdirSync(path.join(ws, 'governance', 'projects'), { recursive: true });
    mkdirSync(path.join(ws, 'governance', 'contracts'), { recursive: true });
    const contract = readFileSync(path.join(__dirname, '..', '..', 'governance', 'contracts', 'operator-team.yaml'), 'utf8').replace('skip_staging_for: []', 'skip_staging_for: [shop]');
    writeFileSync(path.join(ws, 'governance', 'contracts', 'operator-team.yaml'), contract);
    const node = JSON.stringify(process.execPath);
    // counted outside the project folder: a file written there would change what the approval covers
    const deploy = JSON.stringify("require('fs').appendFileSync('../deploys.log', 'deploy\\n')");
    writeFileSync(
      path.join(ws, 'governance', 'projects', 'shop.yaml'),
      ['version: 1', 'path: app', 'environments:', '  production:', '    commands:', `      deploy: [${node}, "-e", ${deploy}]`, ''].join('\n'),
    );
    const log = path.join(ws, 'deploys.log');
    const deploys = (): number => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').length : 0);
    writeQueue(ws, 'shop', { features: [{ id: 'DEPLOY-PROD-001', agent_type: 'deployment', environment: 'production', version: '1.0.0' }] });
    expect(runCli(['--project', 'shop'], { cwd: ws }).code).toBe(3);
    expect(runCli(['approve', 'DEPLOY-PROD-001', '--project', 'shop', '--by', 'ana'], { cwd: ws }).code).toBe(0);
    const killed = runCli(['--project', 'shop'], { cwd: ws, env: { AUTONOMOUS_LOOP_CRASH_AT: 'step:deploy:done#1' } });
    expect(killed.code, killed.stdout + killed.stderr).toBeNull();
    expect(deploys()).toBe(1);
    const resumed = runCli(['--project', 'shop'], { cwd: ws });
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(3);
    expect(deploys()).toBe(1);
    expect(resumed.stdout).toContain('not safe to redo: deploy (iteration 1)');
  });
});

describe('a development or staging deploy cut off mid-step by a real SIGKILL', () => {
  for (const environment of ['development', 'staging'] as const) {
    it(`${environment}: the deploy command is not started again without a person; approve lets it run again`, async () => {
      const ws = makeWorkspace();
      mkdirSync(path.join(ws, 'app'), { recursive: true });
      mkdirSync(path.join(ws, 'governance', 'projects'), { recursive: true });
      const node = JSON.stringify(process.execPath);
      // counted outside the project folder; the deploy takes a while, so the kill lands inside it
      const deploy = JSON.stringify("require('fs').appendFileSync('../deploys.log', 'start\\n'); setTimeout(() => {}, 1500)");
      writeFileSync(
        path.join(ws, 'governance', 'projects', 'shop.yaml'),
        ['version: 1', 'path: app', 'environments:', `  ${environment}:`, '    commands:', `      deploy: [${node}, "-e", ${deploy}]`, '    health_check:', `      command: [${node}, "-e", "0"]`, ''].join('\n'),
      );
      const log = path.join(ws, 'deploys.log');
      const starts = (): number => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').length : 0);
      const file = writeQueue(ws, 'shop', { features: [{ id: 'DEPLOY-001', agent_type: 'deployment', environment, version: '1.0.0' }] });
      const cli = startCli(['--project', 'shop', '--yes'], { cwd: ws });
      await waitFor(() => starts() === 1, 30_000, 'the deploy command to start');
      cli.kill('SIGKILL');
      expect(await cli.exited).toBeNull();

      const resumed = runCli(['--project', 'shop', '--yes'], { cwd: ws });
      expect(resumed.code, resumed.stdout + resumed.stderr).toBe(3);
      expect(starts()).toBe(1);
      expect(resumed.stdout).toContain('not safe to redo: deploy (iteration 1)');
      expect(readJson(file).features[0].status).toBe('awaiting_approval');
      expect(readJson(path.join(ws, '.aibrain', 'deployments.json')).deployments.map((d: { status: string }) => d.status)).toEqual(['interrupted']);

      expect(runCli(['approve', 'DEPLOY-001', '--project', 'shop', '--by', 'ana', '--comment', 'checked: nothing half done'], { cwd: ws }).code).toBe(0);
      const after = runCli(['--project', 'shop'], { cwd: ws });
      expect(after.code, after.stdout + after.stderr).toBe(0);
      expect(starts()).toBe(2);
      expect(readJson(path.join(ws, '.aibrain', 'deployments.json')).deployments.map((d: { status: string }) => d.status)).toEqual(['interrupted', 'success']);
    }, 120_000);
  }
});
