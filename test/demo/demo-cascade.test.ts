import { copyFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { demoPorts, getJson, makeTempWorkspace, removeDemoWorkspaces, writeDemoProject } from '../agents/helpers/demo-workspace.js';
import { readJson, repoRoot, runCli } from '../helpers/workspace.js';

afterEach(removeDemoWorkspaces);

const statuses = (file: string) => readJson(file).features.map((t: { status: string }) => t.status);

// The README's demo, as a new user runs it without a terminal: the shipped queues and project
// file (on free ports), the real CLI, real services answering on loopback.
describe('the demo', () => {
  it('cascades to development and staging, waits for a person at production, then finishes', async () => {
    const ws = makeTempWorkspace('al-demo-');
    const ports = await demoPorts();
    writeDemoProject(ws, 'demo', ports);
    const queue = path.join(ws.tasksDir, 'work_queue_demo.json');
    copyFileSync(path.join(repoRoot, 'examples', 'demo', 'tasks', 'work_queue_demo.json'), queue);
    const cwd = ws.root;

    const first = runCli(['--project', 'demo', '--yes'], { cwd, timeoutMs: 120_000 });
    expect(first.code, first.stdout + first.stderr).toBe(3);
    expect(first.stdout).toContain('autonomous-loop approve DEPLOY-PROD-001 --project demo --by <name>');
    expect(statuses(queue)).toEqual(['complete', 'complete', 'awaiting_approval']);
    for (const env of ['development', 'staging'] as const) {
      const health = await getJson(`http://127.0.0.1:${ports[env]}/health`);
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({ version: '1.1.0', environment: env });
    }
    await expect(fetch(`http://127.0.0.1:${ports.production}/health`)).rejects.toThrow();

    expect(runCli(['approve', 'DEPLOY-PROD-001', '--project', 'demo', '--by', 'ana'], { cwd }).code).toBe(0);
    const second = runCli(['--project', 'demo'], { cwd, timeoutMs: 120_000 });
    expect(second.code, second.stdout + second.stderr).toBe(0);
    const prod = await getJson(`http://127.0.0.1:${ports.production}/health`);
    expect(prod.body).toMatchObject({ version: '1.1.0', environment: 'production' });

    const records = readJson(ws.deploymentsFile).deployments;
    expect(records.map((r: Record<string, unknown>) => [r.environment, r.version, r.status])).toEqual([
      ['development', '1.1.0', 'success'],
      ['staging', '1.1.0', 'success'],
      ['production', '1.1.0', 'success'],
    ]);
    expect(records[2].approved_by).toBe('ana');
    expect(records[1].approved_by).toMatch(/\(--yes\)$/);
    expect(records[0].migrations_run.length).toBeGreaterThan(0);
    const history = runCli(['history', '--project', 'demo'], { cwd }).stdout;
    expect(history.trim().split('\n')).toHaveLength(3);
  }, 180_000);

  it('rolls a broken version back by itself: the old version answers again, its migration is down', async () => {
    const ws = makeTempWorkspace('al-demo-');
    const ports = await demoPorts();
    writeDemoProject(ws, 'demo_broken', ports);
    const queue = path.join(ws.tasksDir, 'work_queue_demo_broken.json');
    copyFileSync(path.join(repoRoot, 'examples', 'demo', 'tasks', 'work_queue_demo_broken.json'), queue);
    const run = runCli(['--project', 'demo_broken'], { cwd: ws.root, timeoutMs: 120_000 });
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(statuses(queue)).toEqual(['complete', 'failed']);
    const health = await getJson(`http://127.0.0.1:${ports.development}/health`);
    expect(health.status).toBe(200);
    expect(health.body.version).toBe('1.1.0');
    expect(health.body.migrations.applied).not.toContain('003_add_item_priority');
    const records = readJson(ws.deploymentsFile).deployments;
    expect(records.map((r: Record<string, unknown>) => [r.version, r.status, r.rollback_executed])).toEqual([
      ['1.1.0', 'success', false],
      ['1.2.0', 'rolled_back', true],
    ]);
    expect(readFileSync(path.join(ws.logsDir, 'demo_broken.jsonl'), 'utf8')).toContain('DEPLOY-DEV-BROKEN');
  }, 180_000);
});
