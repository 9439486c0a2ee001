import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killPtys, startCliInPty } from '../../helpers/pty.js';
import { removeWorkspaces } from '../../helpers/workspace.js';
import { provisionWorkspace, s3Plan, standInBin } from './provision-helpers.js';

afterEach(() => {
  killPtys();
  removeWorkspaces();
});

const env = { PATH: `${standInBin}${path.delimiter}${process.env.PATH ?? ''}`, TOFU_PLANS: s3Plan, INFRACOST_MONTHLY: '46.08' };
const planFile = (ws: string): string => path.join(ws, '.aibrain', 'plans', 'karematch', 'PROVISION-S3-001', 'plan-1.tfplan');
const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');
// What the person must have read before the question: resource, plan changes, business case, cost line.
const BOX = [
  'PROVISIONING APPROVAL REQUIRED (DEVELOPMENT)',
  'Resource:     S3 bucket for karematch user uploads',
  'Plan file:    plan-1.tfplan',
  '4 to create, 0 to update, 0 to replace, 0 to delete',
  '+ create  aws_s3_bucket.user_uploads',
  'Justification: Store user-uploaded profile photos (HIPAA-compliant storage)',
  'Cost estimate: $50.00/month',
  'estimate $50.00/month · cost tool $46.08/month · budget $200.00/month · margin 20%',
];

describe("the guide's S3 example at a terminal (a pseudo-terminal, the real CLI)", () => {
  it('shows the box before the question; y applies exactly the approved plan file', async () => {
    const p = provisionWorkspace({ cost: true });
    const run = startCliInPty(['--project', 'karematch', '--by', 'alice'], { cwd: p.ws, env });
    await run.expect('Apply this plan for PROVISION-S3-001 in DEVELOPMENT?');
    const before = run.screen();
    for (const line of BOX) expect(before).toContain(line);
    expect(p.calls().filter((c) => c.startsWith('apply'))).toEqual([]);
    run.send('y\r');
    expect(await run.exited, run.screen()).toBe(0);
    expect(p.calls()).toEqual([`plan ${planFile(p.ws)}`, `apply ${sha(planFile(p.ws))}`]);
    expect(p.records().map((r) => [r.outcome, r.approved_by])).toEqual([['applied', 'alice']]);
  });

  it('n applies nothing and leaves a rejected record', async () => {
    const p = provisionWorkspace({ cost: true });
    const run = startCliInPty(['--project', 'karematch', '--by', 'alice'], { cwd: p.ws, env });
    await run.expect('Apply this plan for PROVISION-S3-001 in DEVELOPMENT?');
    for (const line of BOX) expect(run.screen()).toContain(line);
    run.send('n\r');
    await run.exited;
    expect(p.calls()).toEqual([`plan ${planFile(p.ws)}`]);
    const records = p.records();
    expect(records.map((r) => [r.outcome, r.rejected_by])).toEqual([['rejected', 'alice']]);
    expect(records[0]!.plan_summary).toContain('create aws_s3_bucket.user_uploads');
    expect(p.task().status).toBe('blocked');
  });

  it('approve from another shell shows the same box and asks; reject from another shell too, then records it', async () => {
    const p = provisionWorkspace({ cost: true });
    expect(p.run(['--non-interactive'], { INFRACOST_MONTHLY: '46.08' }).code).toBe(3);
    const approve = startCliInPty(['approve', 'PROVISION-S3-001', '--project', 'karematch', '--by', 'alice'], { cwd: p.ws, env });
    await approve.expect('Approve PROVISION-S3-001 as shown, as alice? (y/N)');
    for (const line of BOX) expect(approve.screen()).toContain(line);
    approve.send('n\r');
    expect(await approve.exited).toBe(4);
    expect(approve.screen()).toContain('nothing recorded: PROVISION-S3-001 not approved');

    const reject = startCliInPty(['reject', 'PROVISION-S3-001', '--project', 'karematch', '--by', 'bob'], { cwd: p.ws, env });
    await reject.expect('Reject PROVISION-S3-001 as shown, as bob? (y/N)');
    for (const line of BOX) expect(reject.screen()).toContain(line);
    reject.send('y\r');
    expect(await reject.exited, reject.screen()).toBe(0);
    expect(p.records().map((r) => [r.outcome, r.rejected_by])).toEqual([['rejected', 'bob']]);
    expect(p.calls().filter((c) => c.startsWith('apply'))).toEqual([]);
  });
});
