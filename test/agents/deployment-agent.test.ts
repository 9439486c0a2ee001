import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createDeploymentAgent } from '../../src/agents/deployment-agent.js';
import type { Workspace } from '../../src/workspace/paths.js';
import { makeContext, makeTask, MemoryJournal, MemoryRecords } from './helpers/iteration-context.js';
import { demoPorts, getJson, makeTempWorkspace, removeDemoWorkspaces, runningPid, writeDemoProject } from './helpers/demo-workspace.js';

afterEach(removeDemoWorkspaces);

type Env = 'development' | 'staging' | 'production';

async function demoWorkspace(edit?: (yaml: string) => string): Promise<{ ws: Workspace; ports: Record<Env, number> }> {
  const ws = makeTempWorkspace();
  const ports = await demoPorts();
  writeDemoProject(ws, 'demo', ports, edit);
  return { ws, ports };
}

const deployTask = (environment: Env, version: string, id = `DEPLOY-${environment}-${version}`) =>
  makeTask({ id, environment, version, runMigrations: true, migrationsPath: 'migrations' });

function appliedMigrations(ws: Workspace, environment: Env): { applied: string[]; itemColumns: string[] } {
  const db = new Database(path.join(ws.root, '.aibrain', 'envs', environment, 'app.db'), { readonly: true });
  try {
    const applied = (db.prepare('SELECT id FROM schema_migrations ORDER BY id').all() as { id: string }[]).map((r) => r.id);
    const itemColumns = (db.prepare('PRAGMA table_info(items)').all() as { name: string }[]).map((r) => r.name);
    return { applied, itemColumns };
  } finally {
    db.close();
  }
}

describe('deployment agent on the demo app', () => {
  it('deploys for real: pre-flight, build, deploy, migrate, health; the service answers on its port', async () => {
    const { ws, ports } = await demoWorkspace();
    const ctx = makeContext({ workspace: ws, project: 'demo', task: deployTask('development', '1.1.0') });
    const result = await createDeploymentAgent().runIteration(ctx);

    expect(result.error).toBeUndefined();
    expect(result.verdict).toBe('PASS');
    expect(result.output).toContain('<promise>DEPLOYMENT_COMPLETE</promise>');
    expect(ctx.steps.ran).toEqual(['preflight:tests', 'build', 'migrate:status-before', 'deploy', 'migrate:up', 'migrate:status-after', 'health', 'record:success']);
    const health = await getJson(`http://127.0.0.1:${ports.development}/health`);
    expect(health).toEqual({
      status: 200,
      body: { status: 'ok', version: '1.1.0', environment: 'development', migrations: { applied: ['001_create_items', '002_add_item_tags'], pending: [] } },
    });
    expect(ctx.records.records).toHaveLength(1);
    expect(ctx.records.records[0]).toMatchObject({
      task_id: 'DEPLOY-development-1.1.0',
      environment: 'development',
      version: '1.1.0',
      status: 'success',
      iterations: 1,
      migrations_run: ['001_create_items', '002_add_item_tags'],
      errors: [],
      rollback_executed: false,
      approved_by: null,
    });
    expect(ctx.records.records[0]?.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(ctx.asked).toEqual([]);
  });

  it('rolls a broken version back by itself in development: the old version answers again, its migration is down', async () => {
    const { ws, ports } = await demoWorkspace();
    const agent = createDeploymentAgent();
    const records = new MemoryRecords();
    const good = await agent.runIteration(makeContext({ workspace: ws, project: 'demo', task: deployTask('development', '1.1.0'), records }));
    expect(good.verdict).toBe('PASS');
    const goodPid = runningPid(ws.root, 'development');

    const ctx = makeContext({ workspace: ws, project: 'demo', task: deployTask('development', '1.2.0'), records });
    const result = await agent.runIteration(ctx);

    expect(result.verdict).toBe('FAIL');
    expect(result.error).toMatch(/^health check failed: http:\/\/127\.0\.0\.1:\d+\/health: HTTP 500 \(expected 200\): .*no such column: priority_level.*; rolled back to 1\.1\.0$/);
    expect(result.output).not.toContain('<promise>');
    expect(ctx.steps.ran).toEqual([
      'preflight:tests',
      'build',
      'migrate:status-before',
      'deploy',
      'migrate:up',
      'migrate:status-after',
      'health',
      'rollback:decide',
      'rollback:migrate-down',
      'rollback:redeploy',
      'rollback:health',
      'record:rolled_back',
    ]);
    const health = await getJson(`http://127.0.0.1:${ports.development}/health`);
    expect(health.status).toBe(200);
    expect(health.body.version).toBe('1.1.0');
    expect(runningPid(ws.root, 'development')).not.toBe(goodPid);
    expect(appliedMigrations(ws, 'development')).toEqual({ applied: ['001_create_items', '002_add_item_tags'], itemColumns: ['id', 'name'] });
    expect(records.records.map((r) => [r.version, r.status, r.rollback_executed])).toEqual([
      ['1.1.0', 'success', false],
      ['1.2.0', 'rolled_back', true],
    ]);
    expect(records.records[1]?.migrations_run).toEqual(['003_add_item_priority']);
    expect(records.records[1]?.errors).toHaveLength(1);
    expect(records.records[1]?.errors[0]).toMatch(/^health check failed: .*HTTP 500/);
    expect(ctx.asked).toEqual([]);
  });

  it('a first deployment that fails is undone: its migrations down, the service stopped', async () => {
    const { ws, ports } = await demoWorkspace();
    const ctx = makeContext({ workspace: ws, project: 'demo', task: deployTask('development', '1.2.0') });
    const result = await createDeploymentAgent().runIteration(ctx);
    expect(result.verdict).toBe('FAIL');
    expect(result.error).toMatch(/^health check failed: .*; rolled back: 1\.2\.0 stopped, no earlier version here$/);
    expect(ctx.steps.ran.slice(-3)).toEqual(['rollback:migrate-down', 'rollback:stop', 'record:rolled_back']);
    expect(appliedMigrations(ws, 'development').applied).toEqual([]);
    expect(runningPid(ws.root, 'development')).toBeUndefined();
    await expect(getJson(`http://127.0.0.1:${ports.development}/health`)).rejects.toThrow();
    expect(ctx.records.records).toEqual([expect.objectContaining({ version: '1.2.0', status: 'rolled_back', rollback_executed: true, migrations_run: ['001_create_items', '002_add_item_tags', '003_add_item_priority'] })]);
  });

  it.each(['no', 'unavailable'] as const)('asks before rolling back production; answered %s: records failed, rolls nothing back', async (answer) => {
    const { ws, ports } = await demoWorkspace();
    const agent = createDeploymentAgent();
    const records = new MemoryRecords();
    const good = await agent.runIteration(makeContext({ workspace: ws, project: 'demo', task: deployTask('production', '1.1.0'), records }));
    expect(good.error).toBeUndefined();
    expect(good.verdict).toBe('PASS');

    const ctx = makeContext({ workspace: ws, project: 'demo', task: deployTask('production', '1.2.0'), records, ask: async () => answer });
    const result = await agent.runIteration(ctx);

    expect(result.verdict).toBe('FAIL');
    expect(result.error).toMatch(answer === 'no' ? /^health check failed: .*; rollback declined by a person/ : /^health check failed: .*; no rollback: production rolls back only when a person says so, and nobody could be asked/);
    expect(ctx.asked).toHaveLength(1);
    expect(ctx.asked[0]).toMatchObject({ title: 'Roll back production?', environment: 'production' });
    expect(ctx.asked[0]?.lines).toEqual(expect.arrayContaining(['Roll back to: 1.1.0', 'Migrations to undo: 003_add_item_priority']));
    expect(ctx.steps.ran).not.toContain('rollback:redeploy');
    expect(ctx.steps.ran).not.toContain('rollback:migrate-down');
    // Nothing was rolled back: the broken version still runs, its migration still applied.
    const health = await getJson(`http://127.0.0.1:${ports.production}/health`);
    expect(health.status).toBe(500);
    expect(health.body.version).toBe('1.2.0');
    expect(appliedMigrations(ws, 'production').applied).toEqual(['001_create_items', '002_add_item_tags', '003_add_item_priority']);
    expect(records.records.at(-1)).toMatchObject({ version: '1.2.0', status: 'failed', rollback_executed: false, migrations_run: ['003_add_item_priority'] });
  });

  it('rolls production back when the person says yes', async () => {
    const { ws, ports } = await demoWorkspace();
    const agent = createDeploymentAgent();
    const records = new MemoryRecords();
    await agent.runIteration(makeContext({ workspace: ws, project: 'demo', task: deployTask('production', '1.1.0'), records }));
    const ctx = makeContext({ workspace: ws, project: 'demo', task: deployTask('production', '1.2.0'), records, ask: async () => 'yes' });
    const result = await agent.runIteration(ctx);
    expect(result.error).toMatch(/; rolled back to 1\.1\.0$/);
    expect(ctx.asked).toHaveLength(1);
    expect((await getJson(`http://127.0.0.1:${ports.production}/health`)).body.version).toBe('1.1.0');
    expect(records.records.at(-1)).toMatchObject({ status: 'rolled_back', rollback_executed: true });
  });

  it('a rollback that fails is ROLLBACK FAILED: tried once, recorded, and no further automatic attempt', async () => {
    const { ws } = await demoWorkspace((yaml) =>
      yaml.replace(
        /rollback: \[.*\]/,
        `rollback: ["\${NODE}", "-e", "require('fs').appendFileSync(process.env.DEMO_ENV_DIR + '/rollback-attempts', 'x'); console.error('disk full'); process.exit(7)"]`,
      ),
    );
    const agent = createDeploymentAgent();
    const records = new MemoryRecords();
    await agent.runIteration(makeContext({ workspace: ws, project: 'demo', task: deployTask('development', '1.1.0'), records }));

    const ctx = makeContext({ workspace: ws, project: 'demo', task: deployTask('development', '1.2.0'), records });
    const result = await agent.runIteration(ctx);
    expect(result.verdict).toBe('FAIL');
    expect(result.error).toMatch(/^ROLLBACK FAILED: redeploying 1\.1\.0: rollback \(.*\) exited with 7: disk full \(after: health check failed: /);
    const attempts = path.join(ws.root, '.aibrain', 'envs', 'development', 'rollback-attempts');
    expect(readFileSync(attempts, 'utf8')).toBe('x');
    expect(records.records.at(-1)).toMatchObject({ version: '1.2.0', status: 'failed', rollback_executed: true });
    expect(records.records.at(-1)?.errors[0]).toMatch(/^ROLLBACK FAILED: /);

    // The next iteration makes no attempt at all: no step, no record, no second rollback.
    const next = makeContext({ workspace: ws, project: 'demo', task: deployTask('development', '1.2.0'), records, iteration: 2 });
    const again = await agent.runIteration(next);
    expect(again.verdict).toBe('FAIL');
    expect(again.error).toMatch(/^ROLLBACK FAILED earlier in development: no further automatic attempt/);
    expect(next.steps.ran).toEqual([]);
    expect(records.records).toHaveLength(2);
    expect(readFileSync(attempts, 'utf8')).toBe('x');
  });

  it.each(['1.0; rm -rf /', '$(touch pwned)'])('refuses the version %j before any command starts', async (version) => {
    const ws = makeTempWorkspace();
    const marker = path.join(ws.root, 'a-command-ran');
    const touch = `["\${NODE}", "-e", "require('fs').writeFileSync(${JSON.stringify(JSON.stringify(marker)).slice(1, -1)}, 'ran')"]`;
    const ports = await demoPorts();
    writeDemoProject(ws, 'demo', ports, (yaml) =>
      yaml.replace(/(test|build|deploy|migrate_up|migrate_down|migrate_status|rollback|stop): \[.*\]/g, `$1: ${touch}`).replace('retries: 4', 'retries: 0'),
    );
    const ctx = makeContext({ workspace: ws, project: 'demo', task: deployTask('development', version) });
    const result = await createDeploymentAgent().runIteration(ctx);

    expect(result.verdict).toBe('FAIL');
    expect(result.error).toBe(
      `${path.join('tasks', 'work_queue_demo.json')}: task DEPLOY-development-${version}: version: ${JSON.stringify(version)} refused: expected a version like 1.2.3 or a tag name (letters, digits, '.', '_', '+' and '-', starting with a letter or digit, at most 64)`,
    );
    expect(ctx.steps.ran).toEqual([]);
    expect(ctx.records.records).toEqual([]);
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(path.join(ws.root, 'pwned'))).toBe(false);
    // The same commands do run for a good version: the marker proves the check above can fail.
    const control = makeContext({ workspace: ws, project: 'demo', task: makeTask({ id: 'T', environment: 'development', version: '1.0.0' }) });
    await createDeploymentAgent().runIteration(control);
    expect(existsSync(marker)).toBe(true);
  });

  it('stops at failing tests: FAIL, nothing built or deployed, nothing recorded', async () => {
    const { ws, ports } = await demoWorkspace((yaml) => yaml.replace(/test: \[.*\]/, 'test: ["${NODE}", "-e", "console.log(\'1 failing\'); process.exit(1)"]'));
    const ctx = makeContext({ workspace: ws, project: 'demo', task: deployTask('development', '1.1.0') });
    const result = await createDeploymentAgent().runIteration(ctx);
    expect(result.verdict).toBe('FAIL');
    expect(result.error).toMatch(/^tests failed: test \(.*\) exited with 1: 1 failing$/);
    expect(ctx.steps.ran).toEqual(['preflight:tests']);
    expect(ctx.records.records).toEqual([]);
    await expect(getJson(`http://127.0.0.1:${ports.development}/health`)).rejects.toThrow();
  });

  it('an interrupted deploy (Ctrl-C) is no failure: nothing rolled back or recorded, the step not kept as done', async () => {
    const { ws } = await demoWorkspace((yaml) => yaml.replace(/deploy: \[.*\]/, 'deploy: ["${NODE}", "-e", "setTimeout(() => {}, 30000)"]'));
    const records = new MemoryRecords();
    const agent = createDeploymentAgent();
    const controller = new AbortController();
    const ctx = makeContext({ workspace: ws, project: 'demo', task: makeTask({ id: 'B', environment: 'development', version: '1.1.0' }), records, signal: controller.signal });
    // Ctrl-C while the deploy command runs.
    const running = agent.runIteration({
      ...ctx,
      progress: (line) => {
        if (line.startsWith('deploy: ')) setTimeout(() => controller.abort(), 200);
      },
    });
    await expect(running).rejects.toThrow(/^deploy \(.*\) was interrupted$/);
    expect(ctx.steps.ran).toEqual(['preflight:tests', 'build', 'deploy']);
    expect(ctx.steps.results.has('deploy')).toBe(false);
    expect(records.records.filter((r) => r.task_id === 'B')).toEqual([]);
  });

  it('a resumed iteration does not repeat the steps that completed', async () => {
    const { ws } = await demoWorkspace();
    const steps = new MemoryJournal();
    const agent = createDeploymentAgent();
    const first = makeContext({ workspace: ws, project: 'demo', task: deployTask('development', '1.1.0'), steps });
    await agent.runIteration(first);
    const ranBefore = [...steps.ran];
    const resumed = makeContext({ workspace: ws, project: 'demo', task: deployTask('development', '1.1.0'), steps, records: first.records });
    const result = await agent.runIteration(resumed);
    expect(result.verdict).toBe('PASS');
    expect(steps.ran).toEqual(ranBefore);
    expect(first.records.records).toHaveLength(1);
  });
});
