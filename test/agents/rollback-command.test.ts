import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { TaskSpec } from '../../src/agents/agent.js';
import { createDeploymentAgent } from '../../src/agents/deployment-agent.js';
import { rollbackCommand } from '../../src/cli/commands/rollback.js';
import { createRecordSink } from '../../src/engine/record-sink.js';
import { openStore } from '../../src/state/open-store.js';
import type { Workspace } from '../../src/workspace/paths.js';
import { runCli } from '../helpers/workspace.js';
import { makeContext, makeTask } from './helpers/iteration-context.js';
import { demoPorts, getJson, makeTempWorkspace, removeDemoWorkspaces, runningPid, writeDemoProject } from './helpers/demo-workspace.js';

afterEach(async () => {
  process.exitCode = undefined;
  await removeDemoWorkspaces();
});

type Env = 'development' | 'staging' | 'production';

/** Deploys versions one after the other with the deployment agent, recorded in the real state store. */
async function deploy(ws: Workspace, environment: Env, versions: string[]): Promise<void> {
  const agent = createDeploymentAgent();
  const store = await openStore(ws.stateDb);
  try {
    for (const [i, version] of versions.entries()) {
      const task: TaskSpec = makeTask({ id: `DEPLOY-${environment}-${i}`, environment, version, runMigrations: true, migrationsPath: 'migrations' });
      const ctx = makeContext({ workspace: ws, project: 'demo', task });
      const result = await agent.runIteration({ ...ctx, records: createRecordSink(store, ws, 'demo', task.id, 1, () => null) });
      expect(result.error).toBeUndefined();
    }
  } finally {
    await store.close();
  }
}

function applied(ws: Workspace, environment: Env): string[] {
  const db = new Database(path.join(ws.root, '.aibrain', 'envs', environment, 'app.db'), { readonly: true });
  try {
    return (db.prepare('SELECT id FROM schema_migrations ORDER BY id').all() as { id: string }[]).map((r) => r.id);
  } finally {
    db.close();
  }
}

const deployments = (ws: Workspace): any[] => JSON.parse(readFileSync(ws.deploymentsFile, 'utf8')).deployments;

describe('autonomous-loop rollback', () => {
  it('redeploys the earlier version and undoes the migrations applied since, on the record', async () => {
    const ws = makeTempWorkspace();
    const ports = await demoPorts();
    writeDemoProject(ws, 'demo', ports);
    await deploy(ws, 'development', ['1.0.0', '1.1.0']);
    expect(applied(ws, 'development')).toEqual(['001_create_items', '002_add_item_tags']);

    // 002's down migration drops the item_tags table: development asks first (no terminal here: exit 3, nothing changed).
    const asked = runCli(['rollback', '--project', 'demo', '--env', 'dev', '--to', '1.0.0', '--migrations-down', '--migrations-path', 'migrations', '--root', ws.root], { cwd: ws.root });
    expect(asked.code).toBe(3);
    expect(asked.stdout).toMatch(/002_add_item_tags DROPS DATA: drop-table: DROP TABLE item_tags/);
    expect(asked.stderr).toMatch(/rolling back development to 1\.0\.0 needs a person's approval/);
    expect(applied(ws, 'development')).toEqual(['001_create_items', '002_add_item_tags']);

    const r = runCli(['rollback', '--project', 'demo', '--env', 'dev', '--to', '1.0.0', '--migrations-down', '--yes', '--root', ws.root], { cwd: ws.root });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Migrations to undo: 002_add_item_tags');
    expect(r.stdout).toContain('development runs 1.0.0 again');
    const health = await getJson(`http://127.0.0.1:${ports.development}/health`);
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ version: '1.0.0', migrations: { applied: ['001_create_items'], pending: [] } });
    expect(applied(ws, 'development')).toEqual(['001_create_items']);
    const records = deployments(ws);
    expect(records.map((d) => [d.version, d.status, d.rollback_executed])).toEqual([
      ['1.0.0', 'success', false],
      ['1.1.0', 'success', false],
      ['1.0.0', 'success', true],
    ]);
    expect(records[2]).toMatchObject({ kind: 'rollback', task_id: 'rollback-development', project: 'demo', environment: 'development', warnings: ['rollback from 1.1.0 to 1.0.0; migrations reverted: 002_add_item_tags'] });
  });

  it('production without a terminal: refuses with exit 3 and changes nothing', async () => {
    const ws = makeTempWorkspace();
    const ports = await demoPorts();
    writeDemoProject(ws, 'demo', ports);
    await deploy(ws, 'production', ['1.0.0', '1.1.0']);
    const pid = runningPid(ws.root, 'production');

    const r = runCli(['rollback', '--project', 'demo', '--env', 'production', '--to', '1.0.0', '--root', ws.root], { cwd: ws.root });
    expect(r.code).toBe(3);
    expect(r.stderr).toBe("autonomous-loop: rolling back production to 1.0.0 needs a person's approval: 'autonomous-loop approve ROLLBACK-production-1.0.0 --project demo --by <name>', then run this command again (or run it at a terminal)\n");
    expect(runningPid(ws.root, 'production')).toBe(pid);
    expect((await getJson(`http://127.0.0.1:${ports.production}/health`)).body.version).toBe('1.1.0');
    expect(deployments(ws)).toHaveLength(2);
  });

  it.each([
    ['yes', 0, '1.0.0'],
    ['no', 4, '1.1.0'],
  ] as const)('production asks first: answered %s', async (answer, exitCode, running) => {
    const ws = makeTempWorkspace();
    const ports = await demoPorts();
    writeDemoProject(ws, 'demo', ports);
    await deploy(ws, 'production', ['1.0.0', '1.1.0']);
    const asked: string[] = [];
    await rollbackCommand({ project: 'demo', env: 'prod', to: '1.0.0', migrationsDown: true, root: ws.root, by: 'Dana' }, async (q) => {
      asked.push(q.title, ...q.lines);
      return answer;
    });
    expect(process.exitCode ?? 0).toBe(exitCode);
    expect(asked).toEqual([
      'Roll back production to 1.0.0?',
      'Project: demo',
      'Environment: PRODUCTION',
      'Now: 1.1.0 (healthy)',
      'Target Version: 1.0.0',
      'Migration Rollback: YES (1 down)',
      'Migrations to undo: 002_add_item_tags',
      '  what the down migrations drop is not known (give --migrations-path to read them)',
      '',
      'WARNING: This will restore version 1.0.0 in production and undo the migrations applied since',
    ]);
    expect((await getJson(`http://127.0.0.1:${ports.production}/health`)).body.version).toBe(running);
    const decisions = readFileSync(ws.decisionsFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(decisions).toEqual([expect.objectContaining({ decision: answer === 'yes' ? 'approve' : 'reject', by: 'Dana', environment: 'production', version: '1.0.0' })]);
    if (answer === 'yes') expect(deployments(ws).at(-1)).toMatchObject({ kind: 'rollback', version: '1.0.0', status: 'success', rollback_executed: true, approved_by: 'Dana' });
    else expect(deployments(ws)).toHaveLength(2);
  });

  it('refuses an unsafe version before anything runs or is written', () => {
    const ws = makeTempWorkspace();
    writeDemoProject(ws, 'demo', { development: 1, staging: 2, production: 3 });
    const r = runCli(['rollback', '--project', 'demo', '--env', 'development', '--to', '$(touch pwned)', '--root', ws.root], { cwd: ws.root });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^autonomous-loop: --to: "\$\(touch pwned\)" refused: expected a version/);
    expect(existsSync(path.join(ws.root, 'pwned'))).toBe(false);
    expect(existsSync(ws.aibrainDir)).toBe(false);
  });

  it('says why it cannot undo migrations for a version never deployed there', async () => {
    const ws = makeTempWorkspace();
    const ports = await demoPorts();
    writeDemoProject(ws, 'demo', ports);
    await deploy(ws, 'development', ['1.1.0']);
    const r = runCli(['rollback', '--project', 'demo', '--env', 'development', '--to', '1.0.0', '--migrations-down', '--root', ws.root], { cwd: ws.root });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--migrations-down: no successful deployment of 1.0.0 in development on record');
    expect((await getJson(`http://127.0.0.1:${ports.development}/health`)).body.version).toBe('1.1.0');
  });
});
