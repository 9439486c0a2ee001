import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeWorkspace, removeWorkspaces, repoRoot, runCli } from '../helpers/workspace.js';

afterEach(removeWorkspaces);

function project(files: Record<string, string>): string {
  const ws = makeWorkspace();
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(ws, rel)), { recursive: true });
    writeFileSync(path.join(ws, rel), text);
  }
  return ws;
}

const json = (stdout: string) => JSON.parse(stdout) as { findings: Record<string, unknown>[]; files_scanned: number };

describe('autonomous-loop scan', () => {
  it('exits 0 on clean input and 1 on a CRITICAL finding, with the violations block', () => {
    const ws = project({
      'clean.sql': "CREATE INDEX CONCURRENTLY i ON t (a);\n-- DROP TABLE t;\nSELECT 'TRUNCATE t';\n",
      'db/001_drop.sql': 'SELECT 1;\nDROP TABLE users;\nALTER TABLE t DROP COLUMN c;\n',
    });
    const clean = runCli(['scan', 'clean.sql'], { cwd: ws });
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout).toContain('No deployment safety violations detected.');
    const dirty = runCli(['scan', 'clean.sql', 'db'], { cwd: ws });
    expect(dirty.code, dirty.stderr).toBe(1);
    expect(dirty.stdout).toMatch(/^DEPLOYMENT SAFETY VIOLATIONS DETECTED\n\nCRITICAL \(1\)\n {2}db\/001_drop\.sql:2 {2}CRITICAL {2}drop-table \(users\)\n/);
    expect(dirty.stdout.indexOf('CRITICAL (1)')).toBeLessThan(dirty.stdout.indexOf('HIGH (1)'));
    expect(dirty.stdout).toContain('> ALTER TABLE t DROP COLUMN c');
    expect(dirty.stdout).toContain('2 finding(s) (1 CRITICAL, 1 HIGH) in 2 file(s) scanned');
  });

  it('fails at or above --fail-on (default CRITICAL)', () => {
    const ws = project({ 'm.sql': 'ALTER TABLE t DROP COLUMN c;\nCREATE INDEX i ON t (a);\n' });
    expect(runCli(['scan', 'm.sql'], { cwd: ws }).code).toBe(0);
    expect(runCli(['scan', 'm.sql', '--fail-on', 'HIGH'], { cwd: ws }).code).toBe(1);
    expect(runCli(['scan', 'm.sql', '--fail-on', 'medium'], { cwd: ws }).code).toBe(1);
    const only = project({ 'i.sql': 'CREATE INDEX i ON t (a);\n' });
    expect(runCli(['scan', 'i.sql', '--fail-on', 'HIGH'], { cwd: only }).code).toBe(0);
  });

  it('prints JSON with paths as given on the command line and lines where statements start', () => {
    const ws = project({
      'migrations/001_a.sql': '-- header\nDELETE\n  FROM carts;\n',
      'scripts/clean.sh': '#!/bin/sh\naws s3 rb s3://b --force # safety-exception: scratch bucket\n',
      'app/jobs.py': 'import boto3\nboto3.client("s3").delete_objects(Bucket="b", Delete={})\n',
    });
    const r = runCli(['scan', 'migrations/', './scripts', 'app/jobs.py', '--json'], { cwd: ws });
    expect(r.code, r.stderr).toBe(1);
    const out = json(r.stdout);
    expect(Object.keys(out)).toContain('findings');
    expect(out.files_scanned).toBe(3);
    expect(out.findings.map((f) => [f.file, f.line, f.rule, f.severity, f.suppressed])).toEqual([
      ['migrations/001_a.sql', 2, 'delete-without-where', 'CRITICAL', false],
      ['./scripts/clean.sh', 2, 's3-delete-bucket', 'CRITICAL', true],
      ['app/jobs.py', 2, 's3-bulk-delete', 'HIGH', false],
    ]);
    for (const f of out.findings) {
      expect(Object.keys(f)).toEqual(expect.arrayContaining(['file', 'line', 'rule', 'severity', 'message', 'suppressed']));
      expect(typeof f.message).toBe('string');
    }
  });

  it("applies the workspace contract's severity overrides for --env and its own rule packs", () => {
    const contract = readFileSync(path.join(repoRoot, 'governance', 'contracts', 'operator-team.yaml'), 'utf8').replace(
      /severity_overrides:\n {2}development: \{\}\n {2}staging: \{\}\n {2}production: \{\}/,
      'severity_overrides:\n  development: {}\n  staging: {}\n  production: { drop-table: LOW }',
    );
    expect(contract).toContain('drop-table: LOW');
    const ws = project({
      'governance/contracts/operator-team.yaml': contract,
      'guardrails/team.yaml': 'version: 1\nrules:\n  - id: update-without-where\n    severity: CRITICAL\n',
      'x.sql': 'DROP TABLE a;\nUPDATE t SET a = 1;\n',
    });
    const prod = runCli(['scan', 'x.sql', '--env', 'prod', '--root', ws, '--json'], { cwd: ws });
    expect(json(prod.stdout).findings.map((f) => [f.rule, f.severity])).toEqual([
      ['drop-table', 'LOW'],
      ['update-without-where', 'CRITICAL'],
    ]);
    const dev = runCli(['scan', 'x.sql', '--env', 'development', '--root', ws, '--json'], { cwd: ws });
    expect(json(dev.stdout).findings.map((f) => f.severity)).toEqual(['CRITICAL', 'CRITICAL']);
  });

  it('exits 2 on bad input, with one clear message', () => {
    const ws = project({ 'a.sql': 'SELECT 1;\n' });
    const badPacks = project({ 'guardrails/bad.yaml': 'version: 1\nrules:\n  - id: truncate\n    severity: BAD\n' });
    const missing = runCli(['scan', 'a.sql', 'nowhere/'], { cwd: ws });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nowhere/: no such file or directory');
    const env = runCli(['scan', 'a.sql', '--env', 'qa'], { cwd: ws });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain("--env: 'qa' is not an environment");
    const failOn = runCli(['scan', 'a.sql', '--fail-on', 'urgent'], { cwd: ws });
    expect(failOn.code).toBe(2);
    expect(failOn.stderr).toContain("--fail-on: 'urgent' is not a severity");
    const pack = runCli(['scan', 'a.sql', '--root', badPacks], { cwd: ws });
    expect(pack.code).toBe(2);
    expect(pack.stderr).toMatch(/bad\.yaml.*rules\[0\]\.severity/s);
    expect(runCli(['scan'], { cwd: ws }).code).toBe(2);
  });

  it('fails closed: unread text exits 1 whatever --fail-on, and --json (streamed) carries what was not read', () => {
    const ws = project({ 'ok.sql': 'SELECT 1;\n', 'm.sql': "SELECT 1;\nINSERT INTO t VALUES ('x);\n" });
    writeFileSync(path.join(ws, 'utf16.sql'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('DROP TABLE users;\n', 'utf16le')]));
    writeFileSync(path.join(ws, 'blob.bin'), Buffer.from([0, 1, 2, 0, 0xff, 0]));
    const text = runCli(['scan', 'ok.sql', 'm.sql', 'utf16.sql', 'blob.bin'], { cwd: ws });
    expect(text.code, text.stderr).toBe(1);
    expect(text.stdout).toContain('m.sql:2  HIGH  unparsed-sql (a string literal that is never closed)');
    expect(text.stdout).toContain('utf16.sql:1  CRITICAL  drop-table (users)');
    expect(text.stdout).toContain('Not scanned (1)\n  blob.bin: binary content, not scanned');
    const out = runCli(['scan', 'm.sql', 'blob.bin', '--json', '--fail-on', 'CRITICAL'], { cwd: ws });
    expect(out.code).toBe(1);
    const parsed = JSON.parse(out.stdout) as { findings: { rule: string }[]; files_scanned: number; not_scanned: unknown[]; parse_errors: unknown[] };
    expect(parsed.findings.map((f) => f.rule)).toEqual(['unparsed-sql']);
    expect(parsed).toMatchObject({ files_scanned: 1, not_scanned: [{ file: 'blob.bin', reason: 'binary content, not scanned' }], parse_errors: [] });
    expect(JSON.parse(runCli(['scan', 'ok.sql', '--json'], { cwd: ws }).stdout)).toEqual({ findings: [], files_scanned: 1, not_scanned: [], parse_errors: [] });
    writeFileSync(path.join(ws, 'rejected.sql'), 'ALTER TABLE t DROP COLUMN c c;\n');
    const rejected = runCli(['scan', 'rejected.sql'], { cwd: ws });
    expect(rejected.stdout).toContain('in 1 file(s) scanned; 1 statement(s) the PostgreSQL parser rejected were read by the tokenizer (--json: parse_errors)');
    const bad = runCli(['scan', 'ok.sql', '--dialect', 'oracle'], { cwd: ws });
    expect([bad.code, bad.stderr.trim()]).toEqual([2, "autonomous-loop: --dialect: 'oracle' is not a SQL dialect (postgres, mysql, sqlite, cockroachdb)"]);
  });

});

describe('autonomous-loop validate-migrations', () => {
  const files = {
    'db/001_users.up.sql': 'CREATE TABLE users (id int);\n',
    'db/001_users.down.sql': 'DROP TABLE users;\n',
    'db/002_email.up.sql': 'ALTER TABLE users ADD COLUMN email text;\n',
  };

  it('passes with warnings outside production and fails in production (exit 1), with ticks', () => {
    const ws = project(files);
    const dev = runCli(['validate-migrations', 'db', '--env', 'dev'], { cwd: ws });
    expect(dev.code, dev.stderr).toBe(0);
    expect(dev.stdout).toContain('Migration validation passed (development)');
    expect(dev.stdout).toContain('Warnings (1)');
    const prod = runCli(['validate-migrations', 'db', '--env', 'production'], { cwd: ws });
    expect(prod.code).toBe(1);
    expect(prod.stdout).toContain('MIGRATION VALIDATION FAILED (production)');
    expect(prod.stdout).toContain('✓ upgrade  ✓ downgrade  ✓ reversible   db/001_users.up.sql [sql-pair]  (down: db/001_users.down.sql)');
    expect(prod.stdout).toContain('✓ upgrade  ✗ downgrade  ✗ reversible   db/002_email.up.sql [sql-pair]');
  });

  it('prints the report as JSON', () => {
    const ws = project(files);
    const r = runCli(['validate-migrations', 'db', '--env', 'prod', '--json'], { cwd: ws });
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.ok).toBe(false);
    expect(out.environment).toBe('production');
    expect(out.migrations.map((m: { file: string; upgrade: boolean; downgrade: boolean; reversible: boolean }) => [m.file, m.upgrade, m.downgrade, m.reversible])).toEqual([
      ['db/001_users.up.sql', true, true, true],
      ['db/002_email.up.sql', true, false, false],
    ]);
    expect(out.errors.map((f: { rule: string }) => f.rule)).toEqual(['missing-down-file']);
    expect(out.findings.map((f: { file: string; line: number; rule: string }) => [f.file, f.line, f.rule])).toEqual([['db/002_email.up.sql', 1, 'missing-down-file']]);
  });

  it('exits 2 without --env, with a bad one, or without the folder', () => {
    const ws = project(files);
    expect(runCli(['validate-migrations', 'db'], { cwd: ws }).code).toBe(2);
    const env = runCli(['validate-migrations', 'db', '--env', 'moon'], { cwd: ws });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain("--env: 'moon' is not an environment");
    const dir = runCli(['validate-migrations', 'nope', '--env', 'prod'], { cwd: ws });
    expect(dir.code).toBe(2);
    expect(dir.stderr).toContain('nope: no such directory');
  });
});
