import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeWorkspace, removeWorkspaces, repoRoot, runCli } from '../../helpers/workspace.js';

afterEach(removeWorkspaces);
const plan = (name: string): string => path.join(repoRoot, 'test', 'fixtures', 'provisioning', 'plans', name);

describe('scan-plan', () => {
  it('prints the plan findings scan-style, --json, and exits 1 at --fail-on', () => {
    const ws = makeWorkspace();
    const text = runCli(['scan-plan', plan('sg-open.json'), '--root', ws], { cwd: ws });
    expect(text.code).toBe(0); // HIGH findings, CRITICAL by default
    expect(text.stdout).toContain('PLAN SAFETY FINDINGS');
    expect(text.stdout).toContain('port 22/tcp open to 0.0.0.0/0');
    expect(runCli(['scan-plan', plan('sg-open.json'), '--fail-on', 'HIGH', '--root', ws], { cwd: ws }).code).toBe(1);
    const json = runCli(['scan-plan', plan('rds-replace.json'), '--json', '--root', ws], { cwd: ws });
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report.findings).toEqual([expect.objectContaining({ rule: 'plan-destroy-stateful', severity: 'CRITICAL', address: 'aws_db_instance.main', action: 'replace', suppressed: false })]);
  });

  it('refuses malformed plan JSON with one message, exit 2', () => {
    const ws = makeWorkspace();
    const bad = path.join(ws, 'plan.json');
    writeFileSync(bad, '{"format_version": "1.2", "resource_changes": [{"address": "a.b"');
    const r = runCli(['scan-plan', bad, '--root', ws], { cwd: ws });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('plan.json: not a JSON plan');
  });
});
