import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { removeWorkspaces, runCli } from '../../helpers/workspace.js';
import { provisionWorkspace } from './provision-helpers.js';

afterEach(removeWorkspaces);

const out = (r: { stdout: string; stderr: string }): string => r.stdout + r.stderr;

describe('deciding a provisioning gate from another shell', () => {
  it('reject from the CLI writes a rejected provisioning record with the rejecter and the plan summary, as the prompt does', () => {
    const p = provisionWorkspace();
    const first = p.run(['--non-interactive']);
    expect(first.code, out(first)).toBe(3);
    expect(p.records()).toEqual([]);
    const r = runCli(['reject', 'PROVISION-S3-001', '--project', 'karematch', '--by', 'bob', '--comment', 'not this quarter'], { cwd: p.ws });
    expect(r.code, out(r)).toBe(0);
    const records = p.records() as Record<string, any>[];
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ task_id: 'PROVISION-S3-001', outcome: 'rejected', rejected_by: 'bob', approved_by: null, applied: [] });
    expect(records[0]!.plan_summary).toContain('create aws_s3_bucket.user_uploads');
    expect(records[0]!.plan_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(records[0]!.errors[0]).toContain('rejected by bob');
    expect(p.task().status).toBe('blocked');
  });

  it('--json: the pending gate (status) and the decision carry the plan summary', () => {
    const p = provisionWorkspace();
    expect(p.run(['--non-interactive']).code).toBe(3);
    const status = JSON.parse(runCli(['status', '--project', 'karematch', '--json', '--no-probe'], { cwd: p.ws }).stdout);
    expect(status.tasks[0].pending_gate.plan).toMatchObject({ file: expect.stringContaining(`${path.sep}plan-1.tfplan`) });
    expect(status.tasks[0].pending_gate.plan.summary).toContain('create aws_s3_bucket.user_uploads');
    const a = runCli(['approve', 'PROVISION-S3-001', '--project', 'karematch', '--by', 'alice', '--json'], { cwd: p.ws });
    expect(a.code, out(a)).toBe(0);
    expect(JSON.parse(a.stdout).plan_summary).toContain('create aws_s3_bucket.user_uploads');
  });
});
