import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMigrationAgent } from '../../src/agents/migration-agent.js';
import { formatGateBox } from '../../src/cli/prompts/format-boxes.js';
import type { Workspace } from '../../src/workspace/paths.js';
import { MemoryRecords, makeContext, makeTask } from './helpers/iteration-context.js';
import { copyDemoApp, demoPorts, makeTempWorkspace, removeDemoWorkspaces, writeDemoProject } from './helpers/demo-workspace.js';

afterEach(removeDemoWorkspaces);

/** The demo app with a second migrations folder: the shipped three, one dropping a column (HIGH), one dropping a table with no down file. */
async function unsafeWorkspace(): Promise<Workspace> {
  const ws = makeTempWorkspace();
  const app = copyDemoApp(ws);
  const unsafe = path.join(app, 'migrations-unsafe');
  mkdirSync(unsafe);
  cpSync(path.join(app, 'migrations'), unsafe, { recursive: true });
  writeFileSync(path.join(unsafe, '004_drop_item_name.up.sql'), 'ALTER TABLE items DROP COLUMN name;\n');
  writeFileSync(path.join(unsafe, '004_drop_item_name.down.sql'), 'ALTER TABLE items ADD COLUMN name TEXT;\n');
  writeFileSync(path.join(unsafe, '005_drop_tags.up.sql'), 'DROP TABLE item_tags;\n');
  writeFileSync(path.join(unsafe, '005_drop_tags.down.sql'), '-- nothing\n');
  writeDemoProject(ws, 'demo', await demoPorts(), undefined, app);
  return ws;
}

const task = (environment: 'production' | 'development', migrationsPath: string) =>
  makeTask({ id: 'MIGRATE-001', agentType: 'migration', environment, migrationsPath, completionPromise: 'MIGRATIONS_COMPLETE' });

describe('migration pre-flight (before the gate)', () => {
  it('lists each pending migration with its findings and reversibility, and says CRITICAL stops it, before a person answers', async () => {
    const ws = await unsafeWorkspace();
    // Production has the shipped three applied already: 004 and 005 are what would run.
    const first = await createMigrationAgent().runIteration(makeContext({ workspace: ws, project: 'demo', task: task('production', 'migrations') }));
    expect(first.verdict).toBe('PASS');
    const records = new MemoryRecords();
    const ctx = makeContext({ workspace: ws, project: 'demo', task: task('production', 'migrations-unsafe'), records });
    const checks = await createMigrationAgent().preflight!(ctx);
    const pending = checks.find((c) => c.check === 'pending migrations');
    expect(pending?.detail).toBe('2 will run (applied now: 3)');
    expect(pending?.items?.[0]).toMatch(/^004_drop_item_name {2}reversible$/);
    expect(pending?.items?.join('\n')).toMatch(/HIGH .*drop-column/i);
    expect(pending?.items?.join('\n')).toMatch(/005_drop_tags {2}NOT reversible/);
    expect(pending?.items?.join('\n')).toMatch(/CRITICAL .*drop-table/i);
    const validation = checks.find((c) => c.check === 'migration validation');
    expect(validation?.status).toBe('failed');
    expect(validation?.detail).toMatch(/CRITICAL: the task stops before any migration runs \(R\/O\/A\)/);
    // Nothing ran: migrate_status only.
    expect(ctx.steps.ran).toEqual([]);

    const box = formatGateBox({ project: 'demo', task: ctx.task, reasons: ['production always needs a person'], production: true, preflight: checks });
    expect(box).toContain('PRODUCTION MIGRATION APPROVAL REQUIRED');
    expect(box).toContain('Migrations:   YES (path: migrations-unsafe)');
    expect(box).not.toContain('not run yet');
    expect(box).toMatch(/004_drop_item_name {2}reversible/);
    expect(box).toContain('A pre-flight check failed');
  });

  it('a migration run is on the record as kind: migration, and the run blocks on CRITICAL before applying anything', async () => {
    const ws = await unsafeWorkspace();
    const records = new MemoryRecords();
    const ok = makeContext({ workspace: ws, project: 'demo', task: task('development', 'migrations'), records });
    expect((await createMigrationAgent().runIteration(ok)).verdict).toBe('PASS');
    expect(records.records).toHaveLength(1);
    expect(records.records[0]).toMatchObject({ kind: 'migration', status: 'success', environment: 'development', migrations_run: ['001_create_items', '002_add_item_tags', '003_add_item_priority'] });
    // No deployment on record: the service is not checked, and the record says so.
    expect(records.records[0]?.warnings.join('\n')).toMatch(/not checked after migrating/);

    const blocked = makeContext({ workspace: ws, project: 'demo', task: task('production', 'migrations-unsafe'), records });
    const result = await createMigrationAgent().runIteration(blocked);
    expect(result.verdict).toBe('BLOCKED');
    expect(blocked.steps.ran).toEqual([]);
  });
});

describe('health after migrating', () => {
  it('checks the running version after migrating; a migration that breaks /health is taken back down (development rolls back by itself)', async () => {
    const ws = makeTempWorkspace();
    const app = copyDemoApp(ws);
    // The next migrations in a folder of their own (the demo app's tests check its own folder).
    const next = path.join(app, 'migrations-next');
    cpSync(path.join(app, 'migrations'), next, { recursive: true });
    writeFileSync(path.join(next, '004_rename_tags.up.sql'), 'ALTER TABLE item_tags RENAME TO old_item_tags;\n');
    writeFileSync(path.join(next, '004_rename_tags.down.sql'), 'ALTER TABLE old_item_tags RENAME TO item_tags;\n');
    const ports = await demoPorts();
    writeDemoProject(ws, 'demo', ports, undefined, app);
    const records = new MemoryRecords();
    const { createDeploymentAgent } = await import('../../src/agents/deployment-agent.js');
    const deploy = makeContext({
      workspace: ws,
      project: 'demo',
      records,
      task: makeTask({ id: 'DEPLOY-DEV', environment: 'development', version: '1.1.0', runMigrations: true, migrationsPath: 'migrations' }),
    });
    const deployed = await createDeploymentAgent().runIteration(deploy);
    expect(deployed.error).toBeUndefined();

    const ctx = makeContext({ workspace: ws, project: 'demo', task: task('development', 'migrations-next'), records });
    const result = await createMigrationAgent().runIteration(ctx);
    expect(result.verdict).toBe('FAIL');
    expect(result.error).toMatch(/^health check after migrating failed: http:\/\/127\.0\.0\.1:\d+\/health: HTTP 500 .*item_tags.*; migrations rolled back$/);
    expect(ctx.lines.join('\n')).toMatch(/rolled back: migrations back to \[001_create_items, 002_add_item_tags\]/);
    const migration = records.records.find((r) => r.kind === 'migration');
    expect(migration).toMatchObject({ status: 'rolled_back', version: '1.1.0', rollback_executed: true, migrations_run: ['003_add_item_priority', '004_rename_tags'] });
    const health = await fetch(`http://127.0.0.1:${ports.development}/health`);
    expect(health.status).toBe(200);
  });
});
