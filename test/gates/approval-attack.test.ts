import { spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, cpSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeWorkspace, readJson, removeWorkspaces, runCli, writeQueue } from '../helpers/workspace.js';

// Issue 19, "how we will check it": kinds of change made after a production approval, beyond the
// reported ones. Each must make the next run ask again. The tally is printed at the end.

afterAll(() => {
  removeWorkspaces();
  process.stdout.write(`approval attack: ${asked.length} of ${asked.length + held.length} kinds of change asked again${held.length ? `; held: ${held.join(', ')}` : ''}\n`);
});

const asked: string[] = [];
const held: string[] = [];

const git = (cwd: string, ...args: string[]): void => {
  const r = spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
};

interface Ctx {
  ws: string;
  repo: string;
  app: string;
  yaml: string;
  queue: string;
  env: Record<string, string>;
}

const YAML = (extra = ''): string =>
  [
    'version: 1',
    'path: repo/app',
    'env_passthrough: [REGION]',
    'defaults:',
    '  commands:',
    '    stop: ["${NODE}", "stop.mjs"]',
    'environments:',
    '  production:',
    '    port: 5511',
    '    env:',
    '      MODE: "blue"',
    '    commands:',
    '      deploy: ["${NODE}", "deploy.mjs", "${VERSION}"]',
    '    health_check:',
    '      url: "http://127.0.0.1:${PORT}/health"',
    '      body_contains: "ok"',
    extra,
  ].join('\n');

function setUp(): Ctx {
  const ws = makeWorkspace();
  const repo = path.join(ws, 'repo');
  const app = path.join(repo, 'app');
  mkdirSync(path.join(app, 'migrations'), { recursive: true });
  mkdirSync(path.join(app, 'lib'), { recursive: true });
  writeFileSync(path.join(app, 'deploy.mjs'), "import { say } from './lib/say.mjs';\nsay(process.argv[2]);\n");
  writeFileSync(path.join(app, 'stop.mjs'), 'process.exit(0);\n');
  writeFileSync(path.join(app, 'lib', 'say.mjs'), 'export const say = (v) => console.log(v);\n');
  writeFileSync(path.join(app, 'migrations', '001_init.up.sql'), 'CREATE TABLE t (id int);\n');
  writeFileSync(path.join(app, 'migrations', '002_more.up.sql'), 'ALTER TABLE t ADD COLUMN n int;\n');
  writeFileSync(path.join(repo, '.gitignore'), 'app/tmp/\n');
  git(repo, 'init', '-q');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-qm', 'first');
  mkdirSync(path.join(ws, 'governance', 'projects'), { recursive: true });
  const yaml = path.join(ws, 'governance', 'projects', 'shop.yaml');
  writeFileSync(yaml, YAML());
  const queue = writeQueue(ws, 'shop', { features: [{ id: 'DEPLOY-PROD-001', agent_type: 'noop', environment: 'production', version: '1.0.0', run_migrations: true, migrations_path: 'migrations' }] });
  return { ws, repo, app, yaml, queue, env: { REGION: 'eu-1' } };
}

const editYaml = (c: Ctx, from: string, to: string): void => writeFileSync(c.yaml, readFileSync(c.yaml, 'utf8').replace(from, to));
const editTask = (c: Ctx, patch: Record<string, unknown>): void => {
  const q = readJson(c.queue);
  Object.assign(q.features[0], patch);
  writeFileSync(c.queue, `${JSON.stringify(q, null, 2)}\n`);
};

const KINDS: [string, (c: Ctx) => void][] = [
  ['a tracked file deleted', (c) => unlinkSync(path.join(c.app, 'stop.mjs'))],
  ['a file renamed', (c) => renameSync(path.join(c.app, 'lib', 'say.mjs'), path.join(c.app, 'lib', 'said.mjs'))],
  ['a file made executable', (c) => chmodSync(path.join(c.app, 'deploy.mjs'), 0o755)],
  ['a file replaced by a symlink to another', (c) => (unlinkSync(path.join(c.app, 'lib', 'say.mjs')), symlinkSync('../stop.mjs', path.join(c.app, 'lib', 'say.mjs')))],
  ['a new file in a new nested folder', (c) => (mkdirSync(path.join(c.app, 'a', 'b'), { recursive: true }), writeFileSync(path.join(c.app, 'a', 'b', 'c.mjs'), '1'))],
  ['.gitignore edited so an ignored file counts', (c) => (mkdirSync(path.join(c.app, 'tmp')), writeFileSync(path.join(c.app, 'tmp', 'x'), '1'), writeFileSync(path.join(c.repo, '.gitignore'), ''))],
  ['a staged edit', (c) => (appendFileSync(path.join(c.app, 'deploy.mjs'), '//x\n'), git(c.repo, 'add', '-A'))],
  ['the commit amended to the same content', (c) => git(c.repo, 'commit', '-q', '--amend', '-m', 'other message')],
  ['the project folder swapped for a symlink to an edited copy', (c) => {
    cpSync(c.app, path.join(c.ws, 'copy'), { recursive: true });
    appendFileSync(path.join(c.ws, 'copy', 'deploy.mjs'), '//x\n');
    rmSync(c.app, { recursive: true });
    symlinkSync(path.join(c.ws, 'copy'), c.app);
  }],
  ['a new env: variable', (c) => editYaml(c, '      MODE: "blue"', '      MODE: "blue"\n      NODE_OPTIONS: "--require ./evil.cjs"')],
  ['a passthrough value changed in the shell', (c) => (c.env = { REGION: 'us-1' })],
  ['a passthrough variable unset in the shell', (c) => (c.env = {})],
  ['a new name added to env_passthrough', (c) => (editYaml(c, 'env_passthrough: [REGION]', 'env_passthrough: [REGION, EXTRA]'), (c.env = { REGION: 'eu-1', EXTRA: '1' }))],
  ['PATH changed in the invoking shell', (c) => (c.env = { REGION: 'eu-1', PATH: `/tmp/evil-bin:${process.env.PATH ?? ''}` })],
  ['LANG changed in the invoking shell', (c) => (c.env = { REGION: 'eu-1', LANG: 'tr_TR.UTF-8' })],
  ['a command in defaults changed', (c) => editYaml(c, '["${NODE}", "stop.mjs"]', '["${NODE}", "stop.mjs", "--all"]')],
  ['a new command added (rollback)', (c) => editYaml(c, '      deploy:', '      rollback: ["${NODE}", "deploy.mjs", "${VERSION}"]\n      deploy:')],
  ['the health check path changed', (c) => editYaml(c, '/health"', '/healthz"')],
  ['the health body_contains changed', (c) => editYaml(c, 'body_contains: "ok"', 'body_contains: "o"')],
  ['a deploy timeout changed', (c) => editYaml(c, '    port: 5511', '    port: 5511\n    timeouts:\n      deploy: 5')],
  ['a migration renamed', (c) => renameSync(path.join(c.app, 'migrations', '002_more.up.sql'), path.join(c.app, 'migrations', '003_more.up.sql'))],
  ['a migration deleted', (c) => unlinkSync(path.join(c.app, 'migrations', '002_more.up.sql'))],
  ['a hidden file in the migrations folder', (c) => writeFileSync(path.join(c.app, 'migrations', '.hidden.sql'), 'DROP TABLE t;')],
  ['migrations_path changed in the queue', (c) => (mkdirSync(path.join(c.app, 'other')), writeFileSync(path.join(c.app, 'other', '001.up.sql'), 'SELECT 1;'), editTask(c, { migrations_path: 'other' }))],
  ['run_migrations turned off', (c) => editTask(c, { run_migrations: false })],
  ['the version changed in the queue', (c) => editTask(c, { version: '1.0.1' })],
];

describe('a production approval asks again after each kind of change', () => {
  it.each(KINDS)('%s', (name, change) => {
    const c = setUp();
    expect(runCli(['--project', 'shop'], { cwd: c.ws, env: c.env }).code).toBe(3);
    const ok = runCli(['approve', 'DEPLOY-PROD-001', '--project', 'shop', '--by', 'ana'], { cwd: c.ws, env: c.env });
    expect(ok.code, ok.stderr).toBe(0);
    change(c);
    const r = runCli(['--project', 'shop'], { cwd: c.ws, env: c.env });
    (r.code === 3 && /changed since ana approved it/.test(r.stdout) ? asked : held).push(name);
    expect(r.code, `${name}: ${r.stdout}${r.stderr}`).toBe(3);
    expect(r.stdout).toContain('changed since ana approved it');
  }, 120_000);
});
