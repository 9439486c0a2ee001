import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeWorkspace, removeWorkspaces, runCli } from '../helpers/workspace.js';

afterEach(removeWorkspaces);

describe('init', () => {
  it('creates a workspace that runs, and never overwrites a file', () => {
    const ws = path.join(makeWorkspace(), 'new');
    const r = runCli(['init', '--root', ws, '--project', 'shop'], { cwd: path.dirname(ws) });
    expect(r.code, r.stderr).toBe(0);
    for (const p of ['tasks/work_queue_shop.json', 'tasks/work-queue.schema.json', 'governance/contracts/operator-team.yaml', 'governance/projects', 'guardrails', '.aibrain/.gitignore']) {
      expect(existsSync(path.join(ws, p)), p).toBe(true);
    }
    const queue = path.join(ws, 'tasks', 'work_queue_shop.json');
    writeFileSync(queue, JSON.stringify({ project: 'shop', features: [{ id: 'A', agent_type: 'noop' }] }));
    expect(runCli(['init', '--root', ws, '--project', 'shop'], { cwd: ws }).stdout).toContain('nothing to create');
    expect(readFileSync(queue, 'utf8')).toContain('"A"');
    const run = runCli(['--project', 'shop', '--root', ws], { cwd: path.dirname(ws) });
    expect(run.code, run.stdout + run.stderr).toBe(0);
  });
});
