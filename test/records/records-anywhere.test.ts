import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freshDatabase } from '../helpers/postgres.js';
import { makeWorkspace, readDecisions, removeWorkspaces, runCli, writeQueue } from '../helpers/workspace.js';

afterEach(removeWorkspaces);

const queue = { features: [{ id: 'GATED', agent_type: 'noop', requires_approval: ['look first'] }, { id: 'AFTER', agent_type: 'noop', depends_on: ['GATED'] }] };

// Two machines, one database: each its own checkout, which keeps its own projections in .aibrain/.
// B's checkout never ran the loop: it has no .aibrain/ until a command of B's writes a projection.
async function twoMachines(): Promise<{ a: string; b: string; env: Record<string, string> }> {
  const a = makeWorkspace();
  const b = makeWorkspace();
  for (const ws of [a, b]) writeQueue(ws, 'p', queue);
  mkdirSync(path.join(a, '.aibrain'), { recursive: true });
  rmSync(path.join(b, '.aibrain'), { recursive: true, force: true });
  return { a, b, env: { AUTONOMOUS_LOOP_DATABASE_URL: await freshDatabase() } };
}

describe('records on several machines (PostgreSQL): each machine keeps its own projection of the database', () => {
  it("approve on B writes B's decisions.jsonl; A's commands still work and A's run writes the decision into A's file", async () => {
    const { a, b, env } = await twoMachines();
    expect(runCli(['--project', 'p'], { cwd: a, env }).code).toBe(3);
    const approve = runCli(['approve', 'GATED', '--by', 'ana'], { cwd: b, env });
    expect(approve.code, approve.stderr).toBe(0);
    expect(readDecisions(b).map((d) => d.decision)).toEqual(['approve']);

    const status = runCli(['status', '--project', 'p'], { cwd: a, env });
    expect(status.stderr).not.toMatch(/damaged/);
    expect(status.code, status.stderr).toBe(0);
    const history = runCli(['history'], { cwd: a, env });
    expect(history.code, history.stderr).toBe(0);
    const run = runCli(['--project', 'p'], { cwd: a, env });
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(readDecisions(a).map((d) => d.decision)).toEqual(['approve']);

    // B is not disturbed by A having written its own file
    expect(runCli(['status', '--project', 'p'], { cwd: b, env }).code).toBe(0);
    expect(readDecisions(b).map((d) => d.decision)).toEqual(['approve']);
  }, 120_000);

  it("a file lost on A is A's damage only: A is refused until repair rewrites A's file from the database; B goes on", async () => {
    const { a, b, env } = await twoMachines();
    expect(runCli(['--project', 'p'], { cwd: a, env }).code).toBe(3);
    expect(runCli(['approve', 'GATED', '--by', 'ana'], { cwd: a, env }).code).toBe(0);
    expect(readDecisions(a)).toHaveLength(1);
    rmSync(path.join(a, '.aibrain', 'decisions.jsonl'));

    const refused = runCli(['status', '--project', 'p'], { cwd: a, env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/decisions\.jsonl: damaged \(missing/);
    // B never had the record in its file: nothing is missing there, and its next write brings it.
    expect(runCli(['status', '--project', 'p'], { cwd: b, env }).code).toBe(0);
    expect(existsSync(path.join(b, '.aibrain', 'decisions.jsonl'))).toBe(false);

    const repair = runCli(['repair'], { cwd: a, env });
    expect(repair.code, repair.stderr).toBe(0);
    expect(readDecisions(a).map((d) => d.decision)).toEqual(['approve']);
    expect(runCli(['status', '--project', 'p'], { cwd: a, env }).code).toBe(0);
    const repairB = runCli(['repair'], { cwd: b, env });
    expect(repairB.code, repairB.stderr).toBe(0);
    expect(readDecisions(b).map((d) => d.decision)).toEqual(['approve']);
  }, 120_000);
});
