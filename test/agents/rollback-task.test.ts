import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createDeploymentAgent } from '../../src/agents/deployment-agent.js';
import { createRecordSink } from '../../src/engine/record-sink.js';
import { openStore } from '../../src/state/open-store.js';
import type { Workspace } from '../../src/workspace/paths.js';
import { runCli } from '../helpers/workspace.js';
import { makeContext, makeTask } from './helpers/iteration-context.js';
import { demoPorts, getJson, makeTempWorkspace, removeDemoWorkspaces, writeDemoProject } from './helpers/demo-workspace.js';

afterEach(removeDemoWorkspaces);

type Env = 'development' | 'staging' | 'production';

async function deploy(ws: Workspace, environment: Env, versions: string[]): Promise<void> {
  const agent = createDeploymentAgent();
  const store = await openStore(ws.stateDb);
  try {
    for (const [i, version] of versions.entries()) {
      const task = makeTask({ id: `DEPLOY-${environment}-${i}`, environment, version, runMigrations: true, migrationsPath: 'migrations' });
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
const status = (ws: Workspace, ...extra: string[]): any => JSON.parse(runCli(['status', '--project', 'demo', '--root', ws.root, '--json', ...extra], { cwd: ws.root }).stdout);

describe('rollback tasks in the queue', () => {
  it('staging asks before a down migration that drops data; production always asks; approved, both roll back on the record', async () => {
    const ws = makeTempWorkspace();
    const ports = await demoPorts();
    writeDemoProject(ws, 'demo', ports);
    await deploy(ws, 'staging', ['1.0.0', '1.1.0']);
    await deploy(ws, 'production', ['1.0.0', '1.1.0']);
    writeFileSync(
      path.join(ws.root, 'tasks', 'work_queue_demo.json'),
      JSON.stringify({
        project: 'demo',
        features: [
          { id: 'ROLLBACK-STAGING-001', agent_type: 'rollback', environment: 'staging', to: 'previous', migrations_down: true, migrations_path: 'migrations' },
          { id: 'ROLLBACK-PROD-001', agent_type: 'rollback', environment: 'production', to: '1.0.0' },
        ],
      }),
    );
    const first = runCli(['--project', 'demo', '--root', ws.root], { cwd: ws.root, timeoutMs: 120_000 });
    expect(first.code).toBe(3);
    const waiting = status(ws, '--no-probe');
    const byId = Object.fromEntries(waiting.tasks.map((t: any) => [t.id, t]));
    expect(byId['ROLLBACK-STAGING-001']).toMatchObject({ status: 'awaiting_approval' });
    expect(byId['ROLLBACK-STAGING-001'].reason).toMatch(/staging: the rollback's down migrations drop data: 002_add_item_tags \(drop-table\)/);
    expect(byId['ROLLBACK-PROD-001'].reason).toMatch(/production: a rollback always needs a person/);
    expect(applied(ws, 'staging')).toEqual(['001_create_items', '002_add_item_tags']);

    for (const id of ['ROLLBACK-STAGING-001', 'ROLLBACK-PROD-001']) expect(runCli(['approve', id, '--project', 'demo', '--root', ws.root, '--by', 'ana'], { cwd: ws.root }).code).toBe(0);
    const second = runCli(['--project', 'demo', '--root', ws.root], { cwd: ws.root, timeoutMs: 120_000 });
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    expect(applied(ws, 'staging')).toEqual(['001_create_items']);
    expect((await getJson(`http://127.0.0.1:${ports.staging}/health`)).body.version).toBe('1.0.0');
    expect((await getJson(`http://127.0.0.1:${ports.production}/health`)).body.version).toBe('1.0.0');
    const rollbacks = deployments(ws).filter((d) => d.kind === 'rollback');
    expect(rollbacks.map((d) => [d.task_id, d.environment, d.version, d.status, d.approved_by])).toEqual([
      ['ROLLBACK-STAGING-001', 'staging', '1.0.0', 'success', 'ana'],
      ['ROLLBACK-PROD-001', 'production', '1.0.0', 'success', 'ana'],
    ]);
    const after = status(ws);
    const prod = after.environments.find((e: any) => e.environment === 'production');
    expect(prod).toMatchObject({ version: '1.0.0', state: 'healthy', live: { state: 'healthy' }, differs: false });
  }, 300_000);
});

describe('status tells the truth', () => {
  it("asks each environment's health check and says when it differs from the record; --no-probe shows the record; a rollback cut off by SIGKILL is recorded and UNKNOWN", async () => {
    const ws = makeTempWorkspace();
    const ports = await demoPorts();
    writeDemoProject(ws, 'demo', ports);
    await deploy(ws, 'development', ['1.1.0']);
    await deploy(ws, 'production', ['1.0.0', '1.1.0']);
    writeFileSync(path.join(ws.root, 'tasks', 'work_queue_demo.json'), JSON.stringify({ project: 'demo', features: [] }));
    // A migration applied by hand breaks /health in development: the record still says healthy.
    const db = new Database(path.join(ws.root, '.aibrain', 'envs', 'development', 'app.db'));
    db.exec('ALTER TABLE item_tags RENAME TO old_item_tags');
    db.close();
    const s = status(ws);
    const dev = s.environments.find((e: any) => e.environment === 'development');
    expect(dev).toMatchObject({ state: 'healthy', version: '1.1.0', differs: true, live: { state: 'failing' } });
    expect(dev.live.detail).toMatch(/^HTTP 500/);
    const text = runCli(['status', '--project', 'demo', '--root', ws.root], { cwd: ws.root }).stdout;
    expect(text).toMatch(/! development +1\.1\.0 +healthy\n +now: failing: http:\/\/127\.0\.0\.1:\d+\/health HTTP 500.*← differs from the record/);
    const plain = status(ws, '--no-probe').environments.find((e: any) => e.environment === 'development');
    expect(plain.live).toBeUndefined();

    // SIGKILL in the middle of `rollback --env production` (after it marked itself under way, before the redeploy ran).
    expect(runCli(['approve', 'ROLLBACK-production-1.0.0', '--project', 'demo', '--root', ws.root, '--by', 'ana'], { cwd: ws.root }).code).toBe(0);
    const killed = runCli(['rollback', '--project', 'demo', '--root', ws.root, '--env', 'production', '--to', '1.0.0'], {
      cwd: ws.root,
      env: { AUTONOMOUS_LOOP_CRASH_AT: 'step:rollback:redeploy:start#1' },
    });
    expect(killed.code).toBeNull();
    const after = status(ws);
    const prod = after.environments.find((e: any) => e.environment === 'production');
    expect(prod.state).toBe('UNKNOWN');
    expect(prod.reason).toMatch(/a rollback from 1\.1\.0 to 1\.0\.0 was cut off/);
    // What answers is asked: 1.1.0 still runs (the redeploy never started), which the health check for 1.0.0 tells apart.
    expect(prod.live.state).toBe('failing');
    expect(prod.live.detail).toMatch(/lacks "\\"version\\":\\"1\.0\.0\\""/);
    const record = deployments(ws).at(-1);
    expect(record).toMatchObject({ kind: 'rollback', environment: 'production', version: '1.0.0', status: 'interrupted', rollback_executed: true });
    // Said once: a second status adds no record.
    status(ws);
    expect(deployments(ws).filter((d) => d.status === 'interrupted')).toHaveLength(1);
  }, 300_000);
});
