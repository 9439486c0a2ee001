import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { noopAgent } from '../../src/agents/noop-agent.js';
import { readinessAgent } from '../../src/agents/readiness-agent.js';
import { AgentRegistry } from '../../src/agents/registry.js';
import { runLoop } from '../../src/engine/run-loop.js';
import { makeWorkspace, readJson, removeWorkspaces, writeQueue } from '../helpers/workspace.js';
import { fixturesDir } from './helpers/temp-project.js';

afterEach(removeWorkspaces);

const NOTHING_APPLIED = `\n    commands:\n      migrate_status: ["\${NODE}", "-e", ${JSON.stringify('console.log(JSON.stringify({ applied: [] }))')}]`;

function setUp(fixture: string): { ws: string; queue: string } {
  const ws = makeWorkspace();
  mkdirSync(path.join(ws, 'governance', 'projects'), { recursive: true });
  writeFileSync(
    path.join(ws, 'governance', 'projects', 'shop.yaml'),
    `version: 1\npath: ${JSON.stringify(path.join(fixturesDir, fixture))}\nenvironments:\n  production:\n    health_check:\n      url: "http://127.0.0.1:9/healthz"${NOTHING_APPLIED}\n`,
  );
  const queue = writeQueue(ws, 'shop', {
    project: 'shop',
    features: [
      { id: 'READINESS-001', agent_type: 'readiness', completion_promise: 'READINESS_COMPLETE' },
      { id: 'AFTER-001', agent_type: 'noop', completion_promise: 'DONE', depends_on: ['READINESS-001'] },
    ],
  });
  return { ws, queue };
}

const registry = (): AgentRegistry => new AgentRegistry().register(readinessAgent).register(noopAgent);
const statuses = (queue: string): string[] => readJson<{ features: { status: string }[] }>(queue).features.map((t) => t.status);

describe('agent_type "readiness" in a queue', () => {
  it('completes when the review finds no BLOCKER, and its dependents run', async () => {
    const { ws, queue } = setUp('good-service');
    const summary = await runLoop({ root: ws, project: 'shop', registry: registry() });
    expect(summary.exitCode).toBe(0);
    expect(statuses(queue)).toEqual(['complete', 'complete']);
  });

  it('is blocked by a BLOCKER: with nobody to ask, the veto is recorded and dependents are skipped', async () => {
    const { ws, queue } = setUp('js-gaps');
    const summary = await runLoop({ root: ws, project: 'shop', registry: registry() });
    expect(summary.exitCode).not.toBe(0);
    expect(statuses(queue)).toEqual(['blocked', 'skipped']);
    const decisions = readFileSync(path.join(ws, '.aibrain', 'decisions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(decisions).toHaveLength(1);
    expect(decisions[0]).toMatchObject({ decision: 'veto', task_id: 'READINESS-001' });
    expect(decisions[0].reason).toMatch(/^readiness: 2 BLOCKER findings: OPERATOR-001 No rollback procedure/);
  });
});
