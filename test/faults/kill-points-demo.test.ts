import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { demoPorts, makeTempWorkspace, removeDemoWorkspaces, stopServices, writeDemoProject } from '../agents/helpers/demo-workspace.js';
import { formatTable, killAndResume, tracePoints, type KillPointOutcome, type Steps } from '../helpers/fault-table.js';
import { repoRoot, runCli } from '../helpers/workspace.js';

afterEach(removeDemoWorkspaces);

// The shipped demo cascade with the real deployment agent: pre-flight, build, deploy, migrate,
// health check, records. Every kind of point at its first passing (FULL_FAULT_TABLE=1: all).
async function demoWorkspace(): Promise<string> {
  const ws = makeTempWorkspace('al-faults-');
  writeDemoProject(ws, 'demo', await demoPorts(), (yaml) => yaml.replace('backoff_seconds: 0.05', 'backoff_seconds: 0.5').replace(/test: \["\$\{NODE\}", "--test", "test\/"\]/, 'test: ["${NODE}", "-e", "0"]'));
  copyFileSync(path.join(repoRoot, 'tasks', 'work_queue_demo.json'), path.join(ws.tasksDir, 'work_queue_demo.json'));
  return ws.root;
}

const steps =
  (ws: string): Steps =>
  (env) => {
    const out = [runCli(['--project', 'demo', '--yes'], { cwd: ws, env: env(0), timeoutMs: 120_000 })];
    if (out[0]!.code === 3 || out[0]!.code === null) {
      out.push(runCli(['approve', 'DEPLOY-PROD-001', '--project', 'demo', '--by', 'ops'], { cwd: ws, env: env(1) }));
      out.push(runCli(['--project', 'demo'], { cwd: ws, env: env(2), timeoutMs: 120_000 }));
    }
    return out;
  };

function firstOfEach(points: string[]): string[] {
  const seen = new Set<string>();
  return points.filter((p) => {
    const name = p.slice(p.indexOf(':') + 1, p.lastIndexOf('#'));
    if (seen.has(name) || name.startsWith('write:work_queue_')) return false;
    seen.add(name);
    return true;
  });
}

describe('kill -9 during the demo deployment cascade', () => {
  const rows: KillPointOutcome[] = [];
  afterAll(() => process.stdout.write(`\n${formatTable(rows)}\n`));

  it('resumes to the end from every kind of step boundary, with one record per deployment', async () => {
    const clean = await demoWorkspace();
    const traced = tracePoints(clean, steps(clean));
    await stopServices(clean);
    expect(traced.some((p) => p.includes('step:deploy'))).toBe(true);
    const points = process.env.FULL_FAULT_TABLE ? traced : firstOfEach(traced);
    for (const point of points) {
      const ws = await demoWorkspace();
      const outcome = killAndResume(ws, point, steps(ws), 'demo');
      rows.push(outcome);
      await stopServices(ws);
    }
    expect(rows.filter((r) => !r.crashed && !r.point.includes('write:work_queue_')).map((r) => r.point)).toEqual([]);
    expect(rows.filter((r) => r.problems.length > 0 || r.finalExit !== 0)).toEqual([]);
  }, 1_800_000);
});
