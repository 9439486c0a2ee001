import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDeploymentAgent } from '../../src/agents/deployment-agent.js';
import { loadContract } from '../../src/gates/contract.js';
import type { Workspace } from '../../src/workspace/paths.js';
import { makeContext, makeTask } from './helpers/iteration-context.js';
import { copyDemoApp, demoPorts, getJson, makeTempWorkspace, removeDemoWorkspaces, writeDemoProject } from './helpers/demo-workspace.js';
import { makeRepo, removeRepos } from './helpers/git-repo.js';

afterEach(async () => {
  await removeDemoWorkspaces();
  removeRepos();
});

/** A copy of the demo app with extra migration files, deployed with the demo's own project file. */
async function demoCopy(migrations: Record<string, string>, edit?: (yaml: string) => string): Promise<{ ws: Workspace; port: number }> {
  const ws = makeTempWorkspace();
  const app = copyDemoApp(ws, Object.fromEntries(Object.entries(migrations).map(([name, sql]) => [`migrations/${name}`, sql])));
  const ports = await demoPorts();
  writeDemoProject(ws, 'demo', ports, edit, app);
  return { ws, port: ports.development };
}

const task = (environment: 'development' | 'production') =>
  makeTask({ id: `DEPLOY-${environment}`, environment, version: '1.1.0', runMigrations: true, migrationsPath: 'migrations' });

describe('deployment agent pre-flight', () => {
  it('a critical guardrail finding in a migration is BLOCKED, not FAIL, and nothing is deployed', async () => {
    const { ws, port } = await demoCopy({ '004_purge_tags.up.sql': 'DELETE FROM item_tags;\n', '004_purge_tags.down.sql': 'SELECT 1;\n' });
    const ctx = makeContext({ workspace: ws, project: 'demo', task: task('development') });
    const result = await createDeploymentAgent().runIteration(ctx);
    expect(result.verdict).toBe('BLOCKED');
    expect(result.error).toMatch(/^guardrails: .*004_purge_tags\.up\.sql:1 CRITICAL delete-without-where/);
    expect(result.findings).toEqual([expect.objectContaining({ rule: 'delete-without-where', severity: 'CRITICAL', location: expect.stringMatching(/004_purge_tags\.up\.sql:1$/) })]);
    expect(ctx.steps.ran).toEqual(['preflight:tests']);
    expect(ctx.records.records).toEqual([]);
    await expect(getJson(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  });

  it('a migration nothing could read BLOCKS (for R/O/A) unless the contract allows unread (guardrails.allow_unread)', async () => {
    const seed = 'import os\n\ndef run():\n    os.system("psql -c \\"DELETE FROM items\\"")\n';
    const { ws, port } = await demoCopy({ '004_seed.py': seed });
    const ctx = makeContext({ workspace: ws, project: 'demo', task: task('development') });
    const result = await createDeploymentAgent().runIteration(ctx);
    expect(result.verdict).toBe('BLOCKED');
    expect(result.error).toMatch(/^guardrails: not read \(contract guardrails\.allow_unread lets it pass\): .*004_seed\.py:1 .*unreadable-file/);
    expect(result.findings).toEqual([expect.objectContaining({ rule: 'unreadable-file', location: expect.stringMatching(/004_seed\.py:1$/) })]);
    expect(ctx.steps.ran).toEqual(['preflight:tests']);
    expect(ctx.records.records).toEqual([]);
    await expect(getJson(`http://127.0.0.1:${port}/health`)).rejects.toThrow();

    // The same folder with the contract allowing unread text: the scan warns, validation passes (checks only, nothing deployed).
    const contract = loadContract(ws);
    const allowing = createDeploymentAgent({ contract: { ...contract, guardrails: { ...contract.guardrails, allow_unread: true } } });
    const checks = await allowing.preflight?.(makeContext({ workspace: ws, project: 'demo', task: task('development') }));
    expect(checks?.map((c) => [c.check, c.status]).filter(([check]) => check !== 'running now')).toEqual([
      ['tests', 'passed'],
      ['safety scan', 'warning'],
      ['migration validation', 'passed'],
      ['build', 'passed'],
    ]);
    expect(checks?.find((c) => c.check === 'safety scan')?.detail).not.toMatch(/nothing could read/);
  });

  it('a migration that fails validation is FAIL with the error (production needs a down file)', async () => {
    const { ws } = await demoCopy({ '004_add_notes.up.sql': 'ALTER TABLE items ADD COLUMN notes TEXT;\n' }, (yaml) => yaml.replace(/\n\s+test: \[.*\]/, ''));
    const ctx = makeContext({ workspace: ws, project: 'demo', task: task('production') });
    const result = await createDeploymentAgent().runIteration(ctx);
    expect(result.verdict).toBe('FAIL');
    expect(result.error).toMatch(/^migration validation failed: .*004_add_notes\.up\.sql/);
    expect(result.findings).toBeUndefined();
    expect(ctx.steps.ran).toEqual([]);
    expect(ctx.records.records).toEqual([]);
  });

  it('a readiness BLOCKER stops a production deployment: BLOCKED with the finding', async () => {
    const repo = makeRepo({ 'index.js': 'console.log("hi")\n' });
    const ws = makeTempWorkspace();
    writeFileSync(
      path.join(ws.governanceDir, 'projects', 'bare.yaml'),
      ['version: 1', `path: ${JSON.stringify(repo)}`, 'environments:', '  production:', '    commands: { deploy: ["${NODE}", "-e", "require(\'fs\').writeFileSync(\'deployed\', \'x\')"] }'].join('\n'),
    );
    const ctx = makeContext({ workspace: ws, project: 'bare', task: makeTask({ id: 'P', environment: 'production', version: '1.0.0' }) });
    const result = await createDeploymentAgent().runIteration(ctx);
    expect(result.verdict).toBe('BLOCKED');
    expect(result.error).toMatch(/^production readiness: OPERATOR-\d{3} /);
    expect(result.findings?.length).toBeGreaterThan(0);
    expect(result.findings?.every((f) => f.severity === 'BLOCKER')).toBe(true);
    expect(result.findings?.map((f) => f.rule).join(' ')).toMatch(/rollback-procedure/);
    expect(ctx.steps.ran).toEqual(['preflight:applied-migrations']); // a read: what is applied there
  });

  it('reports its checks for the approval prompt without deploying anything', async () => {
    const ws = makeTempWorkspace();
    const ports = await demoPorts();
    writeDemoProject(ws, 'demo', ports);
    const ctx = makeContext({ workspace: ws, project: 'demo', task: task('production') });
    const agent = createDeploymentAgent();
    const checks = await agent.preflight?.(ctx);
    expect(checks?.map((c) => [c.check, c.status])).toEqual([
      ['running now', 'warning'],
      ['tests', 'passed'],
      ['safety scan', expect.stringMatching(/^(passed|warning)$/)],
      ['migration validation', 'passed'],
      ['production readiness', expect.stringMatching(/^(passed|warning)$/)],
      ['build', 'passed'],
    ]);
    // The build is shown before the person answers: journaled as the iteration's own 'build' step, the
    // deployment after approval takes that build and does not build again. Nothing is deployed.
    expect(checks?.find((c) => c.check === 'build')?.detail).toMatch(/scripts\/build\.mjs \(\d+ ms\): built 1\.1\.0 in /);
    expect(ctx.steps.ran).toEqual(['preflight:tests', 'preflight:applied-migrations', 'build']);
    await expect(getJson(`http://127.0.0.1:${ports.production}/health`)).rejects.toThrow();
  });

  it('a build that fails is a failed pre-flight check, shown before anyone approves', async () => {
    const { ws } = await demoCopy({}, (yaml) => yaml.replace(/build: \[.*\]/, 'build: ["${NODE}", "-e", "console.error(\'tsc: 3 errors\'); process.exit(2)"]'));
    const checks = await createDeploymentAgent().preflight?.(makeContext({ workspace: ws, project: 'demo', task: task('production') }));
    const build = checks?.find((c) => c.check === 'build');
    expect(build?.status).toBe('failed');
    expect(build?.detail).toMatch(/^build failed: .*tsc: 3 errors/);
  });
});
