import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { blockingPlanFindings, checkPlan } from '../../../src/guardrails/plan/check-plan.js';
import { loadPlanRules } from '../../../src/guardrails/plan/plan-rules.js';
import { readPlan } from '../../../src/guardrails/plan/read-plan.js';
import { repoRoot } from '../../helpers/workspace.js';

const fixture = (name: string): string => readFileSync(path.join(repoRoot, name.includes('/') ? name : `test/fixtures/provisioning/plans/${name}`), 'utf8');
const s3 = fixture('examples/demo-infra/plans/s3-user-uploads.json');
const rules = loadPlanRules();
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('reading a JSON plan', () => {
  it('reads the S3 bucket plan: four creates, the references of the configuration', () => {
    const plan = readPlan(s3, 'show -json');
    expect(plan.formatVersion).toBe('1.2');
    expect(plan.changes.map((c) => `${c.action} ${c.address}`)).toEqual([
      'create aws_s3_bucket.user_uploads',
      'create aws_s3_bucket_versioning.user_uploads',
      'create aws_s3_bucket_public_access_block.user_uploads',
      'create aws_s3_bucket_server_side_encryption_configuration.user_uploads',
    ]);
    expect(plan.changes[1]!.references).toContain('aws_s3_bucket.user_uploads');
  });

  it('reads ["delete","create"] as a replace', () => {
    const plan = readPlan(fixture('rds-replace.json'), 'show -json');
    expect(plan.changes.map((c) => c.action)).toEqual(['replace', 'no-op']);
  });

  it.each([
    ['{"format_version": "1.2", "resource_chan', /show -json: not a JSON plan \(.*\); it begins: /],
    ['', /not a JSON plan .*it printed nothing/],
    ['{"resource_changes": []}', /format_version: missing/],
    ['{"format_version": "2.0", "resource_changes": []}', /format_version: '2.0' is not a plan format/],
    ['{"format_version": "1.2", "resource_changes": {}}', /resource_changes: expected an array/],
    ['{"format_version": "1.2", "resource_changes": [{"address": "a.b", "type": "a", "change": {"actions": ["explode"]}}]}', /resource_changes\[0\]\.change\.actions: unknown action 'explode' \(a\.b\)/],
    ['{"format_version": "1.2", "resource_changes": [{"address": "a.b", "type": "a", "change": {}}]}', /resource_changes\[0\]\.change\.actions: expected a list of actions/],
    ['{"format_version": "1.2", "errored": true, "resource_changes": []}', /errored: true/],
  ])('refuses a malformed plan with one message: %s', (text, message) => {
    expect(() => readPlan(text, 'show -json')).toThrow(InputError);
    expect(() => readPlan(text, 'show -json')).toThrow(message);
  });
});

describe('guardrails on a plan', () => {
  it('passes the guide example: private, encrypted, versioned', () => {
    const findings = checkPlan(readPlan(s3, 'p'), { rules, dataLossRisk: 'Versioning enabled, lifecycle policy for backups' });
    expect(findings).toEqual([]);
  });

  it('asks for versioning when the case says data loss matters and the plan has none', () => {
    const findings = checkPlan(readPlan(fixture('s3-user-uploads-changed.json'), 'p'), { rules, dataLossRisk: 'Versioning enabled, lifecycle policy for backups' });
    expect(findings.map((f) => [f.rule, f.severity, f.address])).toEqual([['plan-bucket-without-versioning', 'HIGH', 'aws_s3_bucket.user_uploads']]);
    expect(checkPlan(readPlan(fixture('s3-user-uploads-changed.json'), 'p'), { rules, dataLossRisk: 'None: thumbnails can be regenerated' })).toEqual([]);
  });

  it('blocks the replace of a database unless a safety exception names it', () => {
    const plan = readPlan(fixture('rds-replace.json'), 'p');
    const findings = checkPlan(plan, { rules });
    expect(findings.map((f) => [f.rule, f.severity, f.address, f.action])).toEqual([['plan-destroy-stateful', 'CRITICAL', 'aws_db_instance.main', 'replace']]);
    expect(blockingPlanFindings(findings)).toHaveLength(1);
    const excepted = checkPlan(plan, { rules, safetyExceptions: [{ address: 'aws_db_instance.main', reason: 'snapshot taken, rename agreed' }] });
    expect(excepted[0]).toMatchObject({ suppressed: true, exception: 'snapshot taken, rename agreed' });
    expect(blockingPlanFindings(excepted)).toEqual([]);
  });

  it('finds a world-open SSH port, all ports open, an unencrypted volume and a public bucket', () => {
    const findings = checkPlan(readPlan(fixture('sg-open.json'), 'p'), { rules, dataLossRisk: 'none' });
    expect(findings.map((f) => [f.rule, f.address, f.detail])).toEqual([
      ['plan-open-ingress', 'aws_security_group.bastion', 'port 22/tcp open to 0.0.0.0/0'],
      ['plan-open-ingress', 'aws_vpc_security_group_ingress_rule.db_all', 'every port open to 0.0.0.0/0'],
      ['plan-unencrypted-storage', 'aws_ebs_volume.scratch', 'encrypted is false'],
      ['plan-public-bucket', 'aws_s3_bucket_public_access_block.assets', 'block_public_acls, block_public_policy set to false'],
    ]);
    expect(blockingPlanFindings(findings)).toEqual([]);
  });

  it('takes a workspace pack: another stateful type, a rule made CRITICAL, another web port', () => {
    const ws = mkdtempSync(path.join(tmpdir(), 'plan-rules-'));
    dirs.push(ws);
    mkdirSync(path.join(ws, 'plan'));
    writeFileSync(path.join(ws, 'plan', 'ours.yaml'), 'version: 1\nstateful_types: [aws_db_parameter_group]\nweb_ports: [22, 80, 443]\nrules:\n  - id: plan-public-bucket\n    severity: CRITICAL\n');
    const own = loadPlanRules(ws);
    expect(own.statefulTypes.has('aws_db_parameter_group')).toBe(true);
    const findings = checkPlan(readPlan(fixture('sg-open.json'), 'p'), { rules: own, dataLossRisk: 'none' });
    expect(findings.find((f) => f.address === 'aws_security_group.bastion')).toBeUndefined();
    expect(findings.find((f) => f.rule === 'plan-public-bucket')?.severity).toBe('CRITICAL');
    writeFileSync(path.join(ws, 'plan', 'ours.yaml'), 'version: 1\nrules:\n  - id: plan-made-up\n');
    expect(() => loadPlanRules(ws)).toThrow(/ours\.yaml: not a valid plan rule pack[\s\S]*rules\[0\]\.id: expected one of/);
  });
});
