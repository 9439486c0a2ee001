import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeWorkspace, removeWorkspaces, repoRoot, runCli, writeQueue } from '../helpers/workspace.js';

afterEach(removeWorkspaces);

const guideCase = JSON.parse(readFileSync(path.join(repoRoot, 'test/fixtures/provisioning/guide-case.json'), 'utf8')) as Record<string, unknown>;

describe('plan marks every gate a task will meet', () => {
  it('production, staging the first time, requires_approval, provisioning, rollback — and not a staging deploy after the first', () => {
    const ws = makeWorkspace();
    writeQueue(ws, 'p', {
      project: 'p',
      features: [
        { id: 'STG-1', agent_type: 'deployment', environment: 'staging', version: '1.0.0' },
        { id: 'STG-2', agent_type: 'deployment', environment: 'staging', version: '1.0.0', depends_on: ['STG-1'] },
        { id: 'PROD', agent_type: 'deployment', environment: 'production', version: '1.0.0', depends_on: ['STG-2'] },
        { id: 'ASK', agent_type: 'noop', requires_approval: ['look first'] },
        { id: 'PLAIN', agent_type: 'noop' },
        { id: 'PROV', agent_type: 'provisioning', resource: 'S3 bucket', environment: 'development', business_case: guideCase },
        { id: 'RB', agent_type: 'rollback', environment: 'production', to: 'previous', depends_on: ['PROD'] },
      ],
    });
    const text = runCli(['plan', '--project', 'p'], { cwd: ws });
    expect(text.code, text.stderr).toBe(0);
    const line = (id: string) => text.stdout.split('\n').find((l) => l.trim().startsWith(`${id} `)) ?? '';
    expect(line('STG-1')).toMatch(/\[gate: staging: first deployment to staging\]/);
    expect(line('STG-2')).not.toMatch(/gate/);
    expect(line('PROD')).toMatch(/\[gate: production always needs a person\]/);
    expect(line('ASK')).toMatch(/\[gate: look first\]/);
    expect(line('PLAIN')).not.toMatch(/gate/);
    expect(line('PROV')).toMatch(/\[gate: provisioning: /);
    expect(line('RB')).toMatch(/\[gate: production: a rollback always needs a person\]/);
    const json = JSON.parse(runCli(['plan', '--project', 'p', '--json'], { cwd: ws }).stdout) as { gates: Record<string, string[]> };
    expect(Object.keys(json.gates).sort()).toEqual(['ASK', 'PROD', 'PROV', 'RB', 'STG-1']);
  });
});
