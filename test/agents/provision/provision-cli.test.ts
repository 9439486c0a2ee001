import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readJson, removeWorkspaces, runCli } from '../../helpers/workspace.js';
import { guideCase, planFixture, provisionWorkspace, s3Plan } from './provision-helpers.js';

afterEach(removeWorkspaces);

const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');
const planFile = (ws: string, n = 1): string => path.join(ws, '.aibrain', 'plans', 'karematch', 'PROVISION-S3-001', `plan-${n}.tfplan`);
const out = (r: { stdout: string; stderr: string }): string => r.stdout + r.stderr;

describe('provisioning the guide example (an S3 bucket for user uploads)', () => {
  it('refuses a case without a cost estimate: exit 2 naming the field, nothing written', () => {
    const bc = guideCase();
    delete bc.cost_estimate;
    const p = provisionWorkspace({ task: { business_case: bc } });
    const r = p.run(['--non-interactive']);
    expect(r.code, out(r)).toBe(2);
    expect(r.stderr).toContain('features[0].business_case.cost_estimate: missing');
    expect(existsSync(path.join(p.ws, '.aibrain', 'state.db'))).toBe(false);
    expect(p.calls()).toEqual([]);
  });

  it('plans once, waits for a person, applies exactly the approved plan file, records and documents it', () => {
    const p = provisionWorkspace({ cost: true });
    const first = p.run(['--non-interactive', '--yes'], { INFRACOST_MONTHLY: '46.08' });
    expect(first.code, out(first)).toBe(3); // --yes never passes a provisioning gate
    expect(p.task().status).toBe('awaiting_approval');
    expect(p.calls()).toEqual([`plan ${planFile(p.ws)}`]);
    const status = JSON.parse(runCli(['status', '--project', 'karematch', '--json'], { cwd: p.ws }).stdout);
    expect(status.tasks[0].reason).toContain('provisioning: a person approves every plan');

    const approved = runCli(['approve', 'PROVISION-S3-001', '--project', 'karematch', '--by', 'alice'], { cwd: p.ws });
    expect(approved.code, out(approved)).toBe(0);
    const second = p.run(['--non-interactive'], { INFRACOST_MONTHLY: '46.08' });
    expect(second.code, out(second)).toBe(0);
    expect(p.task().status).toBe('complete');
    // Never planned again between approval and apply; the file applied is the one planned.
    expect(p.calls()).toEqual([`plan ${planFile(p.ws)}`, `apply ${sha(planFile(p.ws))}`]);

    const record = p.records()[0]!;
    expect(record).toMatchObject({
      project: 'karematch',
      task_id: 'PROVISION-S3-001',
      environment: 'development',
      outcome: 'applied',
      approved_by: 'alice',
      plan_sha256: sha(planFile(p.ws)),
      applied: ['aws_s3_bucket.user_uploads', 'aws_s3_bucket_versioning.user_uploads', 'aws_s3_bucket_public_access_block.user_uploads', 'aws_s3_bucket_server_side_encryption_configuration.user_uploads'],
      findings: [],
    });
    expect(record.cost).toMatchObject({ estimate_monthly_usd: 50, tool_monthly_usd: 46.08, budget_monthly_usd: 200, margin_percent: 20 });
    expect(record.business_case.justification).toBe('Store user-uploaded profile photos (HIPAA-compliant storage)');
    expect(record.plan_summary).toContain('create aws_s3_bucket.user_uploads');
    expect(record.document.file).toMatch(/^docs\/karematch\/\d{4}-\d{2}-\d{2}-PROVISION-S3-001-development\.md$/);

    const log = p.git('log', '-1', '--format=%s%n%b');
    expect(log).toContain('approved by alice');
    expect(p.git('rev-parse', 'HEAD').trim()).toBe(record.document.commit);
    const doc = readFileSync(path.join(p.docs, record.document.file), 'utf8');
    expect(doc).toContain('Cloudflare R2 (rejected: AWS ecosystem integration)');
    expect(doc).toContain('`create aws_s3_bucket.user_uploads`');

    const history = runCli(['history', '--project', 'karematch'], { cwd: p.ws });
    expect(history.stdout).toMatch(/provision applied\s+karematch\/development S3 bucket for karematch user uploads/);
    expect(history.stdout).toContain('approved by alice');
    const json = JSON.parse(runCli(['history', '--provisioning', '--json'], { cwd: p.ws }).stdout);
    expect(json.provisioning).toHaveLength(1);

    // Done is done: another run applies nothing again.
    const third = p.run(['--non-interactive']);
    expect(third.code, out(third)).toBe(0);
    expect(p.calls()).toHaveLength(2);
  });

  it('refuses an approval before any plan exists: run it first', () => {
    const p = provisionWorkspace();
    const r = runCli(['approve', 'PROVISION-S3-001', '--project', 'karematch', '--by', 'alice'], { cwd: p.ws });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no plan waiting for approval: run it first');
  });
});

describe('a plan that changes after approval', () => {
  it('asks again, and never applies the plan that was approved nor the new one without a person', () => {
    const p = provisionWorkspace();
    const plans = `${s3Plan}${path.delimiter}${planFixture('s3-user-uploads-changed.json')}`;
    expect(p.run(['--non-interactive'], { TOFU_PLANS: plans }).code).toBe(3);
    expect(runCli(['approve', 'PROVISION-S3-001', '--project', 'karematch', '--by', 'alice'], { cwd: p.ws }).code).toBe(0);
    // Someone planned again into the kept file: it is not what alice approved.
    writeFileSync(planFile(p.ws), `${readFileSync(planFile(p.ws), 'utf8')} `);
    const again = p.run(['--non-interactive'], { TOFU_PLANS: plans });
    expect(again.code, out(again)).toBe(3);
    expect(p.calls()).toEqual([`plan ${planFile(p.ws, 1)}`, `plan ${planFile(p.ws, 2)}`]);
    expect(p.task().status).toBe('awaiting_approval');
    const status = JSON.parse(runCli(['status', '--project', 'karematch', '--json'], { cwd: p.ws }).stdout);
    expect(status.tasks[0].reason).toMatch(/changed since alice approved it: the plan: plan-1\.tfplan \(sha256 \w+\) -> plan-2\.tfplan/);
    // The new plan dropped the versioning resource: the case says data loss matters.
    expect(readJson(path.join(p.ws, '.aibrain', 'plans', 'karematch', 'PROVISION-S3-001', 'current.json')).plan_file).toBe(planFile(p.ws, 2));
  });
});

describe('guardrails on the plan', () => {
  it('blocks the replace of a database (R/O/A; nobody there: vetoed), and a safety exception sends it to approval', () => {
    const p = provisionWorkspace({ task: { resource: 'rename the karematch database' } });
    const blocked = p.run(['--non-interactive'], { TOFU_PLANS: planFixture('rds-replace.json') });
    expect(blocked.code, out(blocked)).toBe(1);
    expect(p.task().status).toBe('blocked');
    expect(p.calls().filter((c) => c.startsWith('apply'))).toEqual([]);
    const record = p.records()[0]!;
    expect(record).toMatchObject({ outcome: 'blocked', findings: [expect.objectContaining({ rule: 'plan-destroy-stateful', severity: 'CRITICAL', address: 'aws_db_instance.main', suppressed: false })] });
    const decisions = JSON.parse(runCli(['history', '--decisions', '--json'], { cwd: p.ws }).stdout).decisions;
    expect(decisions.map((d: { decision: string }) => d.decision)).toEqual(['veto']);

    const q = readJson(p.queue);
    q.features[0].status = 'pending';
    q.features[0].safety_exceptions = [{ address: 'aws_db_instance.main', reason: 'snapshot rds:karematch-2026-12-06 taken; rename agreed with the DBA' }];
    writeFileSync(p.queue, JSON.stringify(q, null, 2));
    const excepted = p.run(['--non-interactive'], { TOFU_PLANS: planFixture('rds-replace.json') });
    expect(excepted.code, out(excepted)).toBe(3);
    expect(p.task().status).toBe('awaiting_approval');
  });

  it('blocks an estimate above the project budget', () => {
    const p = provisionWorkspace({ budget: 40 });
    const r = p.run(['--non-interactive']);
    expect(r.code, out(r)).toBe(1);
    expect(p.task().status).toBe('blocked');
    expect(p.records()[0]!.cost.notes[0]).toContain("the case's estimate $50.00 a month is above karematch's monthly budget of $40.00");
  });
});

describe('cost beyond the margin', () => {
  it('shows both figures among the reasons and applies once a person accepts them', () => {
    const p = provisionWorkspace({ cost: true, margin: 20 });
    const r = p.run(['--non-interactive'], { INFRACOST_MONTHLY: '80' });
    expect(r.code, out(r)).toBe(3);
    const status = JSON.parse(runCli(['status', '--project', 'karematch', '--json'], { cwd: p.ws }).stdout);
    expect(status.tasks[0].reason).toContain('the plan costs $80.00/month by the cost tool, the case estimates $50.00/month (+60%, beyond the 20% margin); approving accepts the difference');
    expect(runCli(['approve', 'PROVISION-S3-001', '--project', 'karematch', '--by', 'bob'], { cwd: p.ws }).code).toBe(0);
    expect(p.run(['--non-interactive'], { INFRACOST_MONTHLY: '80' }).code).toBe(0);
    expect(p.records()[0]!.cost).toMatchObject({ estimate_monthly_usd: 50, tool_monthly_usd: 80 });
  });
});

describe('when the IaC tool fails', () => {
  it('a malformed plan JSON: one clear message, a record, nothing applied', () => {
    const p = provisionWorkspace();
    const r = p.run(['--non-interactive'], { TOFU_SHOW_MALFORMED: '1' });
    expect(r.code, out(r)).toBe(1);
    expect(p.task().status).toBe('failed');
    const status = JSON.parse(runCli(['status', '--project', 'karematch', '--json'], { cwd: p.ws }).stdout);
    expect(status.tasks[0].last_error).toMatch(/^no plan to approve: provision_show \(tofu show -json .*plan-1\.tfplan\): not a JSON plan/);
    expect(p.records()).toEqual([expect.objectContaining({ outcome: 'plan_failed' })]);
    expect(p.calls().filter((c) => c.startsWith('apply'))).toEqual([]);
  });

  it('a failing plan command: its error in one line, a record', () => {
    const p = provisionWorkspace();
    const r = p.run(['--non-interactive'], { TOFU_PLAN_FAIL: '1' });
    expect(r.code, out(r)).toBe(1);
    expect(p.records()[0]!.errors[0]).toMatch(/provision_plan \(tofu plan -out=.*\) exited with 1: Error: No valid credential sources found/);
  });

  it('an apply failing halfway: a record of what was applied, the task waits for a person, nothing applied twice', () => {
    const p = provisionWorkspace();
    expect(p.run(['--non-interactive']).code).toBe(3);
    expect(runCli(['approve', 'PROVISION-S3-001', '--project', 'karematch', '--by', 'alice'], { cwd: p.ws }).code).toBe(0);
    const r = p.run(['--non-interactive'], { TOFU_APPLY_FAIL_AFTER: '2' });
    expect(r.code, out(r)).toBe(1);
    expect(p.task().status).toBe('failed');
    const record = p.records()[0]!;
    expect(record).toMatchObject({ outcome: 'apply_failed', approved_by: 'alice', applied: ['aws_s3_bucket.user_uploads', 'aws_s3_bucket_versioning.user_uploads'] });
    expect(record.errors[0]).toContain('AccessDenied');
    expect(readFileSync(path.join(p.docs, record.document.file), 'utf8')).toContain('apply_failed');
    // A person sets it back to pending: a new plan and a new approval, never the old file again.
    const q = readJson(p.queue);
    q.features[0].status = 'pending';
    writeFileSync(p.queue, JSON.stringify(q, null, 2));
    expect(p.run(['--non-interactive']).code).toBe(3);
    expect(p.calls().filter((c) => c.startsWith('apply'))).toHaveLength(1);
    expect(p.calls().filter((c) => c.startsWith('plan'))).toHaveLength(2);
    rmSync(path.join(p.infra, '.tofu-standin'), { recursive: true });
  });
});

describe('autonomous-loop provision (a one-off request)', () => {
  it("queues the guide's request text as a provisioning task, keeping the queue's text, and runs it to the gate", () => {
    const p = provisionWorkspace();
    const before = readFileSync(p.queue, 'utf8');
    const request = path.join(repoRootOf(), 'test', 'fixtures', 'provisioning', 'guide-request.txt');
    const r = p.run(['provision', '--case', request, '--non-interactive']);
    expect(r.code, out(r)).toBe(3);
    expect(r.stdout).toContain('added PROVISION-001 (provisioning S3 bucket for karematch user uploads in development)');
    const after = readFileSync(p.queue, 'utf8');
    // The text before the first status (which the run patches) is as it was: the task was appended.
    expect(after.startsWith(before.slice(0, before.indexOf('"status"')))).toBe(true);
    expect(after.indexOf('"PROVISION-001"')).toBeGreaterThan(after.indexOf('"PROVISION-S3-001"'));
    const added = readJson(p.queue).features[1];
    expect(added).toMatchObject({ id: 'PROVISION-001', agent_type: 'provisioning', business_case: guideCase() });
    expect(added.status).toBe('awaiting_approval');
  });

  it('refuses a request whose case lacks a cost estimate: exit 2 naming it, the queue untouched', () => {
    const p = provisionWorkspace();
    const before = readFileSync(p.queue, 'utf8');
    const request = path.join(p.ws, 'request.txt');
    writeFileSync(request, readFileSync(path.join(repoRootOf(), 'test', 'fixtures', 'provisioning', 'guide-request.txt'), 'utf8').replace(/^- Cost estimate:.*\n/m, ''));
    const r = p.run(['provision', '--case', request]);
    expect(r.code, out(r)).toBe(2);
    expect(r.stderr).toContain('request.txt: the request cannot be queued');
    expect(r.stderr).toContain('business_case.cost_estimate: missing');
    expect(readFileSync(p.queue, 'utf8')).toBe(before);
  });
});

function repoRootOf(): string {
  return path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', '..');
}
