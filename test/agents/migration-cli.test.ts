import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/workspace.js';
import { demoPorts, makeTempWorkspace, removeDemoWorkspaces, writeDemoProject } from './helpers/demo-workspace.js';

afterEach(removeDemoWorkspaces);

describe('a migration task through the CLI', () => {
  it('leaves a kind: migration record in deployments.json and history; logs TASK shows its steps; a production one waits with its gate in status --json', async () => {
    const ws = makeTempWorkspace();
    writeDemoProject(ws, 'demo', await demoPorts());
    writeFileSync(
      path.join(ws.root, 'tasks', 'work_queue_demo.json'),
      JSON.stringify({
        project: 'demo',
        features: [
          { id: 'MIGRATE-DEV-001', agent_type: 'migration', environment: 'development', migrations_path: 'migrations' },
          { id: 'MIGRATE-PROD-001', agent_type: 'migration', environment: 'production', migrations_path: 'migrations', depends_on: ['MIGRATE-DEV-001'] },
        ],
      }),
    );
    const run = runCli(['--project', 'demo', '--root', ws.root], { cwd: ws.root, timeoutMs: 120_000 });
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/applied: 001_create_items, 002_add_item_tags, 003_add_item_priority/);
    const records = JSON.parse(readFileSync(ws.deploymentsFile, 'utf8')).deployments;
    expect(records.map((r: any) => [r.kind, r.task_id, r.status])).toEqual([['migration', 'MIGRATE-DEV-001', 'success']]);
    const history = runCli(['history', '--project', 'demo', '--root', ws.root], { cwd: ws.root }).stdout;
    expect(history).toMatch(/success +migration {2}demo\/development none {2}task MIGRATE-DEV-001 {2}migrations 001_create_items, 002_add_item_tags, 003_add_item_priority/);
    const logs = runCli(['logs', 'MIGRATE-DEV-001', '--project', 'demo', '--root', ws.root], { cwd: ws.root }).stdout;
    expect(logs).toContain('validation: passed (3 migration(s) valid for development)');
    expect(logs).toContain('verified: applied [001_create_items, 002_add_item_tags, 003_add_item_priority]');
    const status = JSON.parse(runCli(['status', '--project', 'demo', '--root', ws.root, '--json', '--no-probe'], { cwd: ws.root }).stdout);
    const prod = status.tasks.find((t: any) => t.id === 'MIGRATE-PROD-001');
    expect(prod.status).toBe('awaiting_approval');
    expect(prod.pending_gate.reasons).toEqual(['production always needs a person']);
    expect(prod.pending_gate.approve_command).toMatch(/^autonomous-loop approve MIGRATE-PROD-001 .*--by <name>$/);
  }, 240_000);
});
