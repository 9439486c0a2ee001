import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDeploymentAgent } from '../../src/agents/deployment-agent.js';
import type { PreflightCheck } from '../../src/agents/agent.js';
import { makeContext, makeTask } from '../agents/helpers/iteration-context.js';
import { copyDemoApp, demoPorts, makeTempWorkspace, removeDemoWorkspaces, writeDemoProject } from '../agents/helpers/demo-workspace.js';
import { runCli } from '../helpers/workspace.js';

afterEach(async () => {
  await removeDemoWorkspaces();
});

interface Report {
  blocked: boolean;
  score: number;
  findings: { id: string; severity: string; title: string; location: string }[];
}

/** The gate's readiness (the production deployment's pre-flight) and the standalone command, on the same project. */
async function bothVerdicts(migrationsPath: string, extra: Record<string, string> = {}, flags: string[] = []): Promise<{ gate: PreflightCheck; standalone: Report; code: number | null; stdout: string }> {
  const ws = makeTempWorkspace();
  const app = copyDemoApp(ws);
  for (const [name, sql] of Object.entries(extra)) {
    mkdirSync(path.dirname(path.join(app, name)), { recursive: true });
    writeFileSync(path.join(app, name), sql);
  }
  writeDemoProject(ws, 'demo', await demoPorts(), (y) => y, app);
  const task = makeTask({ id: 'DEPLOY-PROD', environment: 'production', version: '1.1.0', runMigrations: true, migrationsPath });
  writeFileSync(path.join(ws.tasksDir, 'work_queue_demo.json'), JSON.stringify({ features: [{ id: 'DEPLOY-PROD', agent_type: 'deployment', environment: 'production', version: '1.1.0', run_migrations: true, migrations_path: migrationsPath }] }));
  const checks = await createDeploymentAgent().preflight!(makeContext({ workspace: ws, project: 'demo', task }));
  const gate = checks.find((c) => c.check === 'production readiness');
  if (!gate) throw new Error(`no readiness check in the gate's pre-flight: ${JSON.stringify(checks)}`);
  const r = runCli(['readiness', '--project', 'demo', '--env', 'production', '--json', ...flags], { cwd: ws.root });
  if (r.code !== 0 && r.code !== 1) throw new Error(`readiness exited ${r.code}: ${r.stdout}${r.stderr}`);
  return { gate, standalone: JSON.parse(r.stdout) as Report, code: r.code, stdout: r.stdout };
}


describe('readiness gives the same verdict in the cascade gate and standalone', () => {
  it('the demo as shipped: both pass with the same score and findings', async () => {
    const { gate, standalone, code } = await bothVerdicts('migrations');
    expect(standalone.blocked).toBe(false);
    expect(code).toBe(0);
    expect(gate.status).toBe(standalone.findings.length ? 'warning' : 'passed');
    expect(gate.detail).toBe(`score ${standalone.score}, ${standalone.findings.length} finding(s), no blocker`);
  });

  it("the queue's production task names its migrations folder; another folder in the project holds a DROP TABLE: both review the task's folder, same verdict", async () => {
    const unsafe = {
      'migrations-unsafe/001_create_items.up.sql': 'CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT);\n',
      'migrations-unsafe/001_create_items.down.sql': 'DROP TABLE items;\n',
      'migrations-unsafe/002_drop_items.up.sql': 'DROP TABLE items;\n',
      'migrations-unsafe/002_drop_items.down.sql': '',
    };
    const { gate, standalone, code, stdout } = await bothVerdicts('migrations', unsafe);
    expect(standalone.blocked).toBe(gate.status === 'failed');
    expect(code).toBe(standalone.blocked ? 1 : 0);
    expect(gate.detail).toBe(`score ${standalone.score}, ${standalone.findings.length} finding(s), no blocker`);
    expect(standalone.findings.some((f) => f.location.includes('migrations-unsafe'))).toBe(false);
    expect(JSON.parse(stdout).migrations_path).toEqual({ path: 'migrations', from: 'DEPLOY-PROD' });
    // Asked for that other folder by name, the command reviews it (and says why it blocks).
    const { standalone: other, code: otherCode } = await bothVerdicts('migrations', unsafe, ['--migrations-path', 'migrations-unsafe']);
    expect(other.blocked).toBe(true);
    expect(otherCode).toBe(1);
    expect(other.findings.some((f) => f.severity === 'BLOCKER' && f.location.includes('migrations-unsafe'))).toBe(true);
  });
});
