import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readinessAgent } from '../../src/agents/readiness-agent.js';
import { findPromise } from '../../src/engine/find-promise.js';
import { resolveWorkspace, type Workspace } from '../../src/workspace/paths.js';
import { makeContext, makeTask } from '../agents/helpers/iteration-context.js';
import { fixturesDir } from './helpers/temp-project.js';

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const NOTHING_APPLIED = `\n    commands:\n      migrate_status: ["\${NODE}", "-e", ${JSON.stringify('console.log(JSON.stringify({ applied: [] }))')}]`;

function workspaceFor(fixture: string, healthCheck: boolean): Workspace {
  const root = mkdtempSync(path.join(os.tmpdir(), 'al-readiness-agent-'));
  made.push(root);
  mkdirSync(path.join(root, 'governance', 'projects'), { recursive: true });
  // migrate_status says nothing is applied: every migration is pending, and the review knows it.
  const section = `${healthCheck ? '\n    health_check:\n      url: "http://127.0.0.1:9/healthz"' : ''}${NOTHING_APPLIED}`;
  writeFileSync(
    path.join(root, 'governance', 'projects', 'p.yaml'),
    `version: 1\npath: ${JSON.stringify(path.join(fixturesDir, fixture))}\nenvironments:\n  staging:${section}\n  production:${section}\n`,
  );
  return resolveWorkspace(root);
}

const task = (overrides: Parameters<typeof makeTask>[0]) => makeTask({ agentType: 'readiness', completionPromise: 'READY_FOR_PROD', ...overrides });

describe('the readiness agent', () => {
  it('passes with the task promise when there is no BLOCKER, and keeps the review', async () => {
    const ws = workspaceFor('good-service', true);
    const ctx = makeContext({ workspace: ws, project: 'p', task: task({ id: 'READY-001', environment: 'production' }) });
    const result = await readinessAgent.runIteration(ctx);
    expect(result.verdict).toBe('PASS');
    expect(findPromise(result.output, 'READY_FOR_PROD')).toBe(true);
    expect(result.output).toContain('**Summary: 0 BLOCKER, 0 HIGH, 0 MEDIUM, 0 LOW — score 100/100 — READY**');
    expect(ctx.steps.ran).toEqual(['applied-migrations', 'readiness-review', 'write-review']);
    expect(readdirSync(path.join(ws.aibrainDir, 'reviews'))).toHaveLength(2);
    expect(ctx.lines).toEqual(['readiness production: 0 BLOCKER, 0 HIGH, 0 MEDIUM, 0 LOW — score 100/100 — READY']);
  });

  it('is BLOCKED with the blocking findings when there is a BLOCKER', async () => {
    const ws = workspaceFor('js-gaps', false);
    const ctx = makeContext({ workspace: ws, project: 'p', task: task({ id: 'READY-002' }) });
    const result = await readinessAgent.runIteration(ctx);
    expect(result.verdict).toBe('BLOCKED');
    expect(result.error).toMatch(/^readiness: 2 BLOCKER findings: OPERATOR-001 No rollback procedure \(missing: a rollback procedure/);
    expect(result.findings?.map((f) => f.rule)).toEqual(['OPERATOR-001 rollback-procedure', 'OPERATOR-002 migrations']);
    expect(result.findings?.every((f) => f.severity === 'BLOCKER' && f.location)).toBe(true);
    expect(await readinessAgent.revert?.(ctx)).toMatch(/nothing to undo/);
  });

  it('reviews for the task environment (production when it names none)', async () => {
    const ws = workspaceFor('py-gaps', false);
    const staging = await readinessAgent.runIteration(makeContext({ workspace: ws, project: 'p', task: task({ id: 'R', environment: 'staging' }) }));
    expect(staging.output).toContain('- Environment: staging');
    expect(staging.findings?.map((f) => f.rule)).toEqual(['OPERATOR-001 rollback-procedure', 'OPERATOR-002 migrations']);
  });

  it('fails with the message when the project file is missing', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'al-readiness-agent-'));
    made.push(root);
    const result = await readinessAgent.runIteration(makeContext({ workspace: resolveWorkspace(root), project: 'ghost', task: task({ id: 'R' }) }));
    expect(result.verdict).toBe('FAIL');
    expect(result.error).toMatch(/^readiness review: governance\/projects\/ghost\.yaml: no such file/);
  });
});
