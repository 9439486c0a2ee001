import { afterEach, describe, expect, it } from 'vitest';
import type { Agent } from '../../src/agents/agent.js';
import { createDefaultRegistry } from '../../src/agents/registry.js';
import { runLoop } from '../../src/engine/run-loop.js';
import { loadContract } from '../../src/gates/contract.js';
import { resolveWorkspace } from '../../src/workspace/paths.js';
import { makeWorkspace, readJson, removeWorkspaces, runCli, writeQueue } from '../helpers/workspace.js';

afterEach(removeWorkspaces);

// A deployment agent whose rollback fails, injected through the registry.
function failingRollbackAgent(calls: string[]): Agent {
  return {
    type: 'deployment',
    redoSafe: false,
    async runIteration(ctx) {
      calls.push(`${ctx.task.id}#${ctx.iteration}`);
      return { verdict: 'FAIL', output: '', error: 'ROLLBACK FAILED: could not restart 1.0.0 (health check 500)' };
    },
  };
}

describe('a rollback that fails', () => {
  it('stops the cascade, marks the environment degraded, and makes no further automatic attempt', async () => {
    const ws = makeWorkspace();
    const file = writeQueue(ws, 'p', {
      features: [
        { id: 'DEV-1', agent_type: 'deployment', environment: 'development', version: '2.0.0', max_iterations: 3 },
        { id: 'AFTER', agent_type: 'noop', depends_on: ['DEV-1'] },
        { id: 'DEV-2', agent_type: 'deployment', environment: 'development', version: '2.0.1' },
        { id: 'ELSEWHERE', agent_type: 'noop' },
      ],
    });
    const calls: string[] = [];
    const registry = createDefaultRegistry(loadContract(resolveWorkspace(ws))).register(failingRollbackAgent(calls));
    const summary = await runLoop({ root: ws, project: 'p', registry });
    expect(summary.exitCode).toBe(1);
    expect(calls).toEqual(['DEV-1#1']); // one attempt, never a loop
    expect(readJson(file).features.map((t: { status: string }) => t.status)).toEqual(['failed', 'skipped', 'blocked', 'complete']);
    const status = JSON.parse(runCli(['status', '--project', 'p', '--json'], { cwd: ws }).stdout);
    expect(status.environments).toEqual([expect.objectContaining({ environment: 'development', state: 'DEGRADED', reason: expect.stringContaining('ROLLBACK FAILED') })]);
    expect(status.tasks[2].reason).toContain('development is DEGRADED');
    expect(runCli(['status', '--project', 'p'], { cwd: ws }).stdout).toMatch(/! development +\S+ +DEGRADED: ROLLBACK FAILED/);
  });
});
