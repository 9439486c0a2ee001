import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Finding, formatViolations, scanPaths } from '../../src/guardrails/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function scanOne(name: string, text: string): Promise<string[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'al-code-'));
  dirs.push(dir);
  writeFileSync(path.join(dir, name), text);
  const { findings } = await scanPaths([path.join(dir, name)]);
  return findings.map((f) => `${f.line} ${f.rule}`);
}

describe('code scanners', () => {
  it('JavaScript: code inside ${...} of nested templates counts, regular expressions and division are told apart', async () => {
    const ts = [
      'const a = `outer ${`inner ${await c.send(new DeleteBucketCommand({ Bucket }))}`} done`;',
      'const r = x.replace(/new DeleteObjectCommand\\(/g, "");',
      'const d = total / count / 2; await c.send(new DeleteObjectCommand(p));',
      "const s = '\\' new DeleteObjectsCommand('; const t = \"new DeleteObjectsCommand(\";",
      'class K { deleteBucket(name: string) { return name; } }',
      'await c.send(new S3.DeleteObjectsCommand(p)); const n = new S3.Other.DeleteBucketCommandInput();',
    ].join('\n');
    expect(await scanOne('x.ts', ts)).toEqual(['1 s3-delete-bucket', '3 s3-delete-object', '6 s3-bulk-delete']);
  });

  it('JavaScript: S3 methods by receiver, not by name (db.deleteBucket is someone else\'s)', async () => {
    const ts = [
      "import { S3Client, S3 as Aggregated } from '@aws-sdk/client-s3';",
      "import { DeleteBucketCommand as LightsailDelete } from '@aws-sdk/client-lightsail';",
      'const client = new S3Client({});',
      'await db.deleteBucket(id);',
      'await client.deleteBucket({ Bucket: b });',
      'class Store {',
      '  private readonly s3 = new Aggregated({});',
      '  constructor(private readonly other: S3Client, private readonly cache: Cache) {}',
      '  async wipe() { await this.s3.deleteObjects(p); await this.other.deleteObject(p); await this.cache.deleteObject(p); }',
      '}',
      'await lightsail.send(new LightsailDelete({ bucketName }));',
      'function f(s3: S3Client) { return s3.deleteBucket({ Bucket: b }); }',
      'await (new S3Client({})).deleteObject(p);',
    ].join('\n');
    expect(await scanOne('x.ts', ts)).toEqual(['5 s3-delete-bucket', '9 s3-bulk-delete', '9 s3-delete-object', '12 s3-delete-bucket', '13 s3-delete-object']);
  });

  it('JavaScript: aws-sdk v2 clients from require, destructuring and a default import', async () => {
    const js = [
      "const AWS = require('aws-sdk');",
      "const { S3 } = require('aws-sdk');",
      "import S3Only from 'aws-sdk/clients/s3';",
      'const a = new AWS.S3(); const b = new S3(); const c = new S3Only(); const d = a;',
      'a.deleteBucket(p).promise(); b.deleteObjects(p); c.deleteObject(p); d.deleteBucket(p);',
      'const bucketStore = makeStore(); bucketStore.deleteBucket(p);',
      '// a.deleteBucket(p)',
      'function Client(options) { this.s3 = options.s3Client || new AWS.S3(options.s3Options); }',
      'Client.prototype.deleteObjects = function (p) { var self = this; self.s3.deleteObjects(p, cb); };',
      'client.deleteObjects(p);',
    ].join('\n');
    expect(await scanOne('x.js', js)).toEqual(['5 s3-delete-bucket', '5 s3-bulk-delete', '5 s3-delete-object', '5 s3-delete-bucket', '9 s3-bulk-delete']);
  });

  it('shell: command substitutions and wrappers are commands, arguments to other commands are not', async () => {
    const sh = [
      'echo "removed: $(aws s3 rb "s3://$B" --force)"',
      'sudo -E aws s3 rm s3://b/p --recursive',
      'env AWS_PROFILE=p aws --endpoint-url=http://localhost:4566 s3 rb s3://b',
      'aws s3 rm s3://b/p --dryrun',
      'echo aws s3 rb s3://b',
      "printf '%s' 'aws s3 rm s3://b --recursive'",
      'x=`aws s3api delete-bucket --bucket b`',
    ].join('\n');
    expect(await scanOne('x.sh', sh)).toEqual(['1 s3-delete-bucket', '2 s3-recursive-rm', '3 s3-delete-bucket', '7 s3-delete-bucket']);
  });

  it('Python: S3 client methods by receiver (another service, or a driver without Bucket=, is not S3)', async () => {
    const py = [
      'import boto3',
      's3 = boto3.client("s3")',
      'lightsail = boto3.client("lightsail")',
      's3.delete_object(**params)',
      'lightsail.delete_bucket(bucketName="b")',
      'self.driver.delete_object(obj)',
      'get_client().delete_objects(Bucket="b", Delete={"Objects": []})',
      'boto3.resource("s3").meta.client.delete_bucket(**kw)',
    ].join('\n');
    expect(await scanOne('x.py', py)).toEqual(['4 s3-delete-object', '7 s3-bulk-delete', '8 s3-delete-bucket']);
  });

  it('Python: calls anywhere in the tree count, even in a file with a syntax error elsewhere', async () => {
    const py = ['handlers = {"wipe": lambda b: s3.delete_bucket(Bucket=b)}', 'def broken(:', '    pass', 'client.delete_objects(Bucket="b", Delete={})'].join('\n');
    expect(await scanOne('x.py', py)).toEqual(['1 s3-delete-bucket', '4 s3-bulk-delete']);
  });
});

describe('formatViolations', () => {
  it('says nothing was detected when every finding is suppressed, and still lists them', () => {
    const f: Finding = { file: 'a.sql', line: 3, rule: 'drop-table', severity: 'CRITICAL', message: 'DROP TABLE deletes the table', suppressed: true, statement: 'DROP TABLE a' };
    const text = formatViolations([f]);
    expect(text.split('\n')[0]).toBe('No deployment safety violations detected.');
    expect(text).toContain('Suppressed by safety-exception (1)\n  a.sql:3  CRITICAL  drop-table  [suppressed: safety-exception]\n    DROP TABLE deletes the table\n    > DROP TABLE a');
    expect(text.endsWith('0 finding(s), 1 suppressed')).toBe(true);
  });
});
