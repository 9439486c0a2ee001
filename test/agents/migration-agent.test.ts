import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createMigrationAgent } from '../../src/agents/migration-agent.js';
import type { Workspace } from '../../src/workspace/paths.js';
import { makeContext, makeTask } from './helpers/iteration-context.js';
import { copyDemoApp, demoPorts, makeTempWorkspace, removeDemoWorkspaces, writeDemoProject } from './helpers/demo-workspace.js';

afterEach(removeDemoWorkspaces);

const migrationTask = (environment: 'development' | 'production') =>
  makeTask({ id: `MIGRATE-${environment}`, agentType: 'migration', environment, migrationsPath: 'migrations', completionPromise: 'MIGRATIONS_COMPLETE' });

function applied(ws: Workspace, environment: string): string[] {
  const db = new Database(path.join(ws.root, '.aibrain', 'envs', environment, 'app.db'), { readonly: true });
  try {
    return (db.prepare('SELECT id FROM schema_migrations ORDER BY id').all() as { id: string }[]).map((r) => r.id);
  } finally {
    db.close();
  }
}

/** A copy of the demo app whose fourth migration fails in SQLite (the table it alters does not exist). */
async function workspaceWithFailingMigration(): Promise<Workspace> {
  const ws = makeTempWorkspace();
  const app = copyDemoApp(ws, {
    'migrations/004_add_order_notes.up.sql': 'ALTER TABLE orders ADD COLUMN notes TEXT;\n',
    'migrations/004_add_order_notes.down.sql': 'ALTER TABLE orders DROP COLUMN notes;\n',
  });
  writeDemoProject(ws, 'demo', await demoPorts(), undefined, app);
  return ws;
}

describe('migration agent', () => {
  it('validates, applies and verifies the migrations on a real SQLite file, then keeps its promise', async () => {
    const ws = makeTempWorkspace();
    writeDemoProject(ws, 'demo', await demoPorts());
    const ctx = makeContext({ workspace: ws, project: 'demo', task: migrationTask('development') });
    const result = await createMigrationAgent().runIteration(ctx);
    expect(result.error).toBeUndefined();
    expect(result.verdict).toBe('PASS');
    expect(result.output).toContain('<promise>MIGRATIONS_COMPLETE</promise>');
    expect(result.output).toContain('applied: 001_create_items, 002_add_item_tags, 003_add_item_priority');
    expect(result.output).toMatch(/validation: passed \(3 migration\(s\) valid for development\)/);
    expect(applied(ws, 'development')).toEqual(['001_create_items', '002_add_item_tags', '003_add_item_priority']);
    expect(ctx.steps.ran).toEqual(['migrate:status-before', 'migrate:up', 'migrate:status-after', 'record:success']);

    // A second run finds nothing to apply and still verifies.
    const again = await createMigrationAgent().runIteration(makeContext({ workspace: ws, project: 'demo', task: migrationTask('development') }));
    expect(again.verdict).toBe('PASS');
    expect(again.output).toContain('nothing new to apply');
  });

  it('takes the migrations back down to where they were when one fails', async () => {
    const ws = await workspaceWithFailingMigration();
    const ctx = makeContext({ workspace: ws, project: 'demo', task: migrationTask('development') });
    const result = await createMigrationAgent().runIteration(ctx);
    expect(result.verdict).toBe('FAIL');
    expect(result.error).toMatch(/^migrate up failed: migrate_up \(.*\) exited with 1: .*no such table: orders.*; migrations rolled back$/);
    expect(ctx.steps.ran).toEqual(['migrate:status-before', 'migrate:up', 'migrate:status-after', 'rollback:decide', 'rollback:migrate-down', 'record:rolled_back']);
    expect(ctx.records.records.map((r) => [r.kind, r.status, r.rollback_executed])).toEqual([['migration', 'rolled_back', true]]);
    expect(applied(ws, 'development')).toEqual([]);
    expect(result.output).not.toContain('<promise>');
  });

  it('asks before migrating production down; nobody there: the migrations stay as they are', async () => {
    const ws = await workspaceWithFailingMigration();
    const ctx = makeContext({ workspace: ws, project: 'demo', task: migrationTask('production') });
    const result = await createMigrationAgent().runIteration(ctx);
    expect(result.verdict).toBe('FAIL');
    expect(result.error).toMatch(/nobody could be asked/);
    expect(ctx.asked).toHaveLength(1);
    expect(ctx.asked[0]?.lines).toContain('Migrations to undo: 001_create_items, 002_add_item_tags, 003_add_item_priority');
    expect(applied(ws, 'production')).toEqual(['001_create_items', '002_add_item_tags', '003_add_item_priority']);
  });

  it('refuses to run without a migrations_path', async () => {
    const ws = makeTempWorkspace();
    writeDemoProject(ws, 'demo', await demoPorts());
    const ctx = makeContext({ workspace: ws, project: 'demo', task: makeTask({ id: 'M', agentType: 'migration', environment: 'development' }) });
    const result = await createMigrationAgent().runIteration(ctx);
    expect(result).toMatchObject({ verdict: 'FAIL', error: 'task M: migrations_path: missing (the migrations to validate and apply)' });
    expect(ctx.steps.ran).toEqual([]);
  });
});
