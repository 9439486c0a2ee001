import { copyFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { demoPorts, getJson, makeTempWorkspace, removeDemoWorkspaces, stopServices, writeDemoProject } from '../agents/helpers/demo-workspace.js';
import { expectEveryKillRecovered, formatTable, killAndResume, tracePoints, type KillPointOutcome, type Steps } from '../helpers/fault-table.js';
import { repoRoot, runCli } from '../helpers/workspace.js';

afterEach(removeDemoWorkspaces);

// The shipped demo cascade with the real deployment agent: pre-flight, build, deploy, migrate,
// health check, records. Every kind of point at its first passing (FULL_FAULT_TABLE=1: all).
async function demoWorkspace(project = 'demo'): Promise<{ root: string; port: number }> {
  const ws = makeTempWorkspace('al-faults-');
  const ports = await demoPorts();
  writeDemoProject(ws, project, ports, (yaml) => yaml.replace('backoff_seconds: 0.05', 'backoff_seconds: 0.5').replace(/test: \["\$\{NODE\}", "--test", "test\/"\]/, 'test: ["${NODE}", "-e", "0"]'));
  copyFileSync(path.join(repoRoot, 'examples', 'demo', 'tasks', `work_queue_${project}.json`), path.join(ws.tasksDir, `work_queue_${project}.json`));
  return { root: ws.root, port: ports.development };
}

// Run; then, while the run waits, a person approves what waits (production; a migration a kill
// cut off, which is not redone unasked) and runs again.
const steps =
  (ws: string): Steps =>
  (env) => {
    const out = [runCli(['--project', 'demo', '--yes'], { cwd: ws, env: env(0), timeoutMs: 120_000 })];
    for (let round = 0; round < 3 && (out.at(-1)!.code === 3 || out.at(-1)!.code === null); round++) {
      const status = JSON.parse(runCli(['status', '--project', 'demo', '--json'], { cwd: ws }).stdout) as { tasks: { id: string; status: string }[] };
      for (const t of status.tasks.filter((t) => t.status === 'awaiting_approval')) {
        out.push(runCli(['approve', t.id, '--project', 'demo', '--by', 'ops'], { cwd: ws, env: env(out.length) }));
      }
      out.push(runCli(['--project', 'demo'], { cwd: ws, env: env(out.length), timeoutMs: 120_000 }));
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
    const { root: clean } = await demoWorkspace();
    const traced = tracePoints(clean, steps(clean));
    await stopServices(clean);
    expect(traced.some((p) => p.includes('step:deploy'))).toBe(true);
    const points = process.env.FULL_FAULT_TABLE ? traced : firstOfEach(traced);
    for (const point of points) {
      const { root: ws } = await demoWorkspace();
      const outcome = killAndResume(ws, point, steps(ws), 'demo');
      rows.push(outcome);
      await stopServices(ws);
    }
    expectEveryKillRecovered(rows);
  }, 1_800_000);
});

// The broken demo: 1.1.0 to development, then 1.2.0 whose health check fails, so development rolls
// back to 1.1.0 by itself (migration down, 1.1.0 redeployed). Killed at every kind of point of that,
// rollback steps included, the resumed run must end the same way: the old version answering, the
// migration down, one `success` and one `rolled_back` record.
describe('kill -9 during the automatic rollback of the broken demo', () => {
  const rows: KillPointOutcome[] = [];
  afterAll(() => process.stdout.write(`\n${formatTable(rows)}\n`));
  const broken = (ws: string): Steps => (env) => [runCli(['--project', 'demo_broken'], { cwd: ws, env: env(0), timeoutMs: 120_000 })];

  it('resumes to the same end: rolled back once, on the record once, the old version answering', async () => {
    const clean = await demoWorkspace('demo_broken');
    const traced = tracePoints(clean.root, broken(clean.root));
    await stopServices(clean.root);
    expect(traced.some((p) => p.includes('step:rollback'))).toBe(true);
    // Sampled: the rollback's own points (the deployment before it is the first table's ground).
    const points = process.env.FULL_FAULT_TABLE ? traced : firstOfEach(traced).filter((p) => /rollback|rolled_back|state:failed/.test(p));
    for (const point of points) {
      const { root: ws, port } = await demoWorkspace('demo_broken');
      const outcome = killAndResume(ws, point, broken(ws), 'demo_broken', { 'DEPLOY-DEV-BROKEN': 'failed' });
      const records = (JSON.parse(readFileSync(path.join(ws, '.aibrain', 'deployments.json'), 'utf8')) as { deployments: { version: string; status: string }[] }).deployments;
      const seen = records.map((r) => `${r.version} ${r.status}`).join(', ');
      if (seen !== '1.1.0 success, 1.2.0 rolled_back') outcome.problems.push(`records: ${seen}`);
      const health = await getJson(`http://127.0.0.1:${port}/health`).catch((e: unknown) => ({ status: 0, body: String(e) }));
      const answer = health.body as { version?: string; migrations?: { applied?: string[] } };
      if (health.status !== 200 || answer.version !== '1.1.0') outcome.problems.push(`development answers ${health.status} ${JSON.stringify(answer).slice(0, 120)}`);
      else if (JSON.stringify(answer.migrations?.applied) !== JSON.stringify(['001_create_items', '002_add_item_tags'])) outcome.problems.push(`migrations: ${JSON.stringify(answer.migrations)}`);
      rows.push(outcome);
      await stopServices(ws);
    }
    expectEveryKillRecovered(rows, 1);
  }, 1_800_000);
});
