import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { makeWorkspace, removeWorkspaces, runCli } from '../helpers/workspace.js';

// The "load the wasm parser and tree-sitter only when a file needs them", read off the real
// CLI: a module-resolution hook lists every module the scan loads. (How fast it starts is for
// bench/scan-cli-bench.ts; what it loads is a fact a test can hold.)
const hooks = mkdtempSync(path.join(os.tmpdir(), 'al-load-hooks-'));
writeFileSync(
  path.join(hooks, 'hooks.mjs'),
  `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (process.env.AL_LOADED_LOG) appendFileSync(process.env.AL_LOADED_LOG, r.url + '\\n');
  return r;
}
`,
);
writeFileSync(path.join(hooks, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(path.join(hooks, 'hooks.mjs')).href)});\n`);
// require() (the parser is loaded through it) is not seen by the ESM hooks: its resolution is listed too.
writeFileSync(
  path.join(hooks, 'require-hook.cjs'),
  `const Module = require('node:module');
const { appendFileSync } = require('node:fs');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (...args) {
  const r = resolve.apply(this, args);
  if (process.env.AL_LOADED_LOG) appendFileSync(process.env.AL_LOADED_LOG, 'file://' + r + '\\n');
  return r;
};
`,
);

afterAll(() => {
  removeWorkspaces();
  rmSync(hooks, { recursive: true, force: true });
});

/** The packages and our modules a `scan` of `files` loads. */
function loadedBy(files: Record<string, string>, extra: string[] = [], packs: Record<string, string> = {}): { code: number | null; packages: Set<string>; ours: Set<string> } {
  const ws = makeWorkspace();
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(ws, name), text);
  if (Object.keys(packs).length > 0) mkdirSync(path.join(ws, 'guardrails'), { recursive: true });
  for (const [name, text] of Object.entries(packs)) writeFileSync(path.join(ws, 'guardrails', name), text);
  const log = path.join(ws, 'loaded.txt');
  writeFileSync(log, '');
  const r = runCli(['scan', ...Object.keys(files), '--json', ...extra], {
    cwd: ws,
    env: { NODE_OPTIONS: `--import ${pathToFileURL(path.join(hooks, 'register.mjs')).href} --require ${path.join(hooks, 'require-hook.cjs')}`, AL_LOADED_LOG: log },
  });
  const urls = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  const packages = new Set(urls.flatMap((u) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)?.[1] ?? []));
  const ours = new Set(urls.flatMap((u) => /\/dist\/src\/(.+)\.js$/.exec(u)?.[1] ?? []));
  return { code: r.code, packages, ours };
}

describe('what a scan loads', () => {
  it('a SQL folder no statement of which needs the parser loads no parser, no YAML reader, no schema library, no code scanner', () => {
    const { code, packages, ours } = loadedBy({ 'a.sql': 'CREATE TABLE a (id int);\nCREATE INDEX a_id ON a (id);\nINSERT INTO a VALUES (1);\n' });
    expect(code).toBe(0);
    expect([...packages].sort()).toEqual(['commander']);
    expect(ours.has('guardrails/scan-paths')).toBe(true);
    for (const lazy of ['guardrails/scan-code-file', 'guardrails/validate-migrations', 'guardrails/rule-pack-file', 'gates/contract', 'parsing/parse-source']) {
      expect(ours.has(lazy), lazy).toBe(false);
    }
  });

  it('the Postgres parser loads with the first statement that needs it, tree-sitter with the first code file', () => {
    // DROP TABLE and the common ALTER TABLE forms are read from their tokens (understood-sql.ts); a USING expression is the parser's.
    const known = loadedBy({ 'a.sql': 'CREATE TABLE a (id int);\n', 'b.sql': 'DROP TABLE users;\nALTER TABLE orders ALTER COLUMN total TYPE bigint;\n' });
    expect(known.code).toBe(1);
    expect(known.packages.has('libpg-query')).toBe(false);
    const sql = loadedBy({ 'a.sql': 'CREATE TABLE a (id int);\n', 'b.sql': 'DROP TABLE users;\nALTER TABLE orders ALTER COLUMN total TYPE bigint USING total::bigint;\n' });
    expect(sql.code).toBe(1);
    expect(sql.packages.has('libpg-query')).toBe(true);
    expect(sql.packages.has('web-tree-sitter')).toBe(false);
    const code = loadedBy({ 'a.sql': 'CREATE TABLE a (id int);\n', 'job.py': 'import boto3\nboto3.client("s3").delete_bucket(Bucket="b")\n' });
    expect(code.code).toBe(1);
    expect(code.packages.has('web-tree-sitter')).toBe(true);
    expect(code.packages.has('libpg-query')).toBe(false);
  });

  it('the YAML reader and the schema library load for a workspace pack or --env, not before', () => {
    const env = loadedBy({ 'a.sql': 'SELECT 1;\n' }, ['--env', 'production']);
    expect(env.code).toBe(0);
    expect(env.packages.has('zod')).toBe(true);
    const pack = 'version: 1\nrules:\n  - id: drop-view\n    scanner: sql\n    severity: CRITICAL\n    message: DROP VIEW breaks readers\n    match: { statement: DROP VIEW }\n';
    const own = loadedBy({ 'a.sql': 'DROP VIEW v;\n' }, [], { 'own.yaml': pack });
    expect(own.code).toBe(1);
    expect(own.packages.has('yaml')).toBe(true);
    expect(own.packages.has('zod')).toBe(true);
    expect(own.ours.has('guardrails/rule-pack-file')).toBe(true);
  });
});
