import { appendFileSync, cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { loadRulePacks, scanPaths, scanSqlText } from '../../src/guardrails/index.js';
import { compileRulePacks } from '../../src/guardrails/rule-pack-file.js';
import { readCompiledRules } from '../../src/guardrails/rule-pack.js';
import { packFiles } from '../../src/guardrails/rule.js';
import { packageRoot } from '../../src/workspace/paths.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function packDir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'al-packs-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

async function loadError(dir: string): Promise<InputError> {
  try {
    await loadRulePacks([dir]);
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('the pack loaded');
}

describe('rule packs', () => {
  it('ships every rule id the issue names, each with a severity, message and fix', async () => {
    const rules = (await loadRulePacks()).rules;
    for (const id of [
      'drop-database', 'drop-table', 'drop-schema', 'truncate', 'delete-without-where', 'update-without-where', 'drop-column',
      'rename-column', 'rename-table', 'add-not-null-without-default', 'alter-column-type', 'index-not-concurrent', 'fk-not-valid',
      'drop-index-not-concurrent', 'missing-upgrade', 'missing-downgrade', 'empty-downgrade', 'missing-down-file',
      's3-delete-bucket', 's3-bulk-delete', 's3-delete-object', 's3-recursive-rm',
    ]) {
      const rule = rules.get(id);
      expect(rule, id).toBeDefined();
      expect(rule?.message.length, id).toBeGreaterThan(10);
      expect(rule?.fix, id).toBeTruthy();
    }
    expect(['drop-database', 'drop-table', 'drop-schema', 'truncate', 'delete-without-where'].map((id) => rules.get(id)?.severity)).toEqual(Array(5).fill('CRITICAL'));
  });

  it("lets a workspace pack change a rule's severity, message and environments, or turn it off", async () => {
    const dir = packDir({
      'team.yaml': [
        'version: 1',
        'rules:',
        '  - id: index-not-concurrent',
        '    enabled: false',
        '  - id: truncate',
        '    severity: HIGH',
        '    message: Our truncate policy',
        '    severity_by_environment: { production: CRITICAL }',
      ].join('\n'),
    });
    const sql = 'CREATE INDEX i ON t (a);\nTRUNCATE t;';
    const dev = await scanSqlText(sql, 'a.sql', { rulePackDirs: [dir], environment: 'development' });
    expect(dev.map((f) => [f.rule, f.severity, f.message])).toEqual([['truncate', 'HIGH', 'Our truncate policy']]);
    const prod = await scanSqlText(sql, 'a.sql', { rulePackDirs: [dir], environment: 'production' });
    expect(prod.map((f) => f.severity)).toEqual(['CRITICAL']);
    const contract = await scanSqlText(sql, 'a.sql', { rulePackDirs: [dir], environment: 'production', severityOverrides: { truncate: 'LOW' } });
    expect(contract.map((f) => f.severity)).toEqual(['LOW']);
  });

  it('lets a workspace add SQL rules by leading keywords and code rules by call names', async () => {
    const dir = packDir({
      'extra.yml': [
        'version: 1',
        'rules:',
        '  - id: drop-view',
        '    scanner: sql',
        '    severity: MEDIUM',
        '    message: DROP VIEW breaks readers of the view',
        '    match: { statement: drop view }',
        '  - id: s3-delete-bucket-policy',
        '    scanner: code',
        '    severity: LOW',
        '    message: Deletes a bucket policy',
        '    match:',
        '      python_methods: [delete_bucket_policy]',
        '      cli: ["s3api delete-bucket-policy"]',
      ].join('\n'),
    });
    expect((await scanSqlText('-- DROP VIEW no;\nDROP VIEW v;', 'v.sql', { rulePackDirs: [dir] })).map((f) => `${f.line} ${f.rule}`)).toEqual(['2 drop-view']);
    const code = packDir({ 'a.py': 's3.delete_bucket_policy(Bucket="b")\n', 'b.sh': 'aws s3api delete-bucket-policy --bucket b\n' });
    const { findings } = await scanPaths([code], { rulePackDirs: [dir] });
    expect(findings.map((f) => `${path.basename(f.file)}:${f.line} ${f.rule}`)).toEqual(['a.py:1 s3-delete-bucket-policy', 'b.sh:1 s3-delete-bucket-policy']);
  });

  it('rejects a bad pack naming the file and the key', async () => {
    const badSeverity = await loadError(packDir({ 'bad.yaml': 'version: 1\nrules:\n  - id: drop-table\n    severity: SEVERE\n' }));
    expect(badSeverity.message).toContain('bad.yaml');
    expect(badSeverity.message).toContain('rules[0].severity');
    const unknownKey = await loadError(packDir({ 'k.yaml': 'version: 1\nrules:\n  - id: drop-table\n    sevrity: HIGH\n' }));
    expect(unknownKey.message).toMatch(/k\.yaml.*rules\[0\]/s);
    expect(unknownKey.message).toContain('sevrity');
    const incomplete = await loadError(packDir({ 'new.yaml': 'version: 1\nrules:\n  - id: my-rule\n    scanner: sql\n    severity: LOW\n' }));
    expect(incomplete.message).toContain('rules[0].message: required');
    expect(incomplete.message).toContain('rules[0].match.statement');
    const twice = await loadError(packDir({ 'd.yaml': 'version: 1\nrules:\n  - id: truncate\n    severity: LOW\n  - id: truncate\n    severity: HIGH\n' }));
    expect(twice.message).toContain("rules[1].id: 'truncate' appears twice");
    const yaml = await loadError(packDir({ 'y.yaml': 'version: 1\nrules: [\n' }));
    expect(yaml.message).toContain('y.yaml: not valid YAML');
    const migration = await loadError(packDir({ 'm.yaml': 'version: 1\nrules:\n  - id: my-check\n    scanner: migration\n    severity: LOW\n    message: x\n' }));
    expect(migration.message).toContain('can only be changed');
  });

  it('reads the shipped packs precompiled exactly as from YAML, and from YAML again when a pack changed since', async () => {
    const shipped = path.join(packageRoot(), 'guardrails');
    const dir = packDir({});
    const compiledFile = path.join(dir, 'shipped-rules.json');
    writeFileSync(compiledFile, JSON.stringify(compileRulePacks(shipped)));
    const fromYaml = (await loadRulePacks()).rules;
    const compiled = readCompiledRules(compiledFile, packFiles(shipped, true));
    expect(compiled).toBeDefined();
    expect([...(compiled ?? new Map()).entries()]).toEqual([...fromYaml.entries()]);
    // A copy of the packs with one changed: the compiled rules no longer stand for them.
    const copy = path.join(dir, 'guardrails');
    cpSync(shipped, copy, { recursive: true });
    expect(readCompiledRules(compiledFile, packFiles(copy, true))?.size).toBe(fromYaml.size);
    appendFileSync(path.join(copy, 'sql.yaml'), '\n# changed\n');
    expect(readCompiledRules(compiledFile, packFiles(copy, true))).toBeUndefined();
    expect(readCompiledRules(path.join(dir, 'absent.json'), packFiles(shipped, true))).toBeUndefined();
  });

  it('the build wrote the compiled packs the CLI reads, current with guardrails/*.yaml', () => {
    const built = path.join(packageRoot(), 'dist', 'src', 'guardrails', 'shipped-rules.json');
    expect(existsSync(built)).toBe(true);
    expect(readCompiledRules(built, packFiles(path.join(packageRoot(), 'guardrails'), true))).toBeDefined();
  });
});
