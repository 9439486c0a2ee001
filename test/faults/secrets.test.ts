import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listFiles, makeWorkspace, removeWorkspaces, runCli } from '../helpers/workspace.js';
import { stateBytes } from '../helpers/state-db.js';
import { onPostgres } from '../helpers/test-store.js';

// Secrets in the environment (issue 6): a real run whose agents print them, fail with them, are
// blocked for them, approved and rejected with them in the comment, and deploy with them. Not one
// value may reach a file under .aibrain/ (logs, deployments.json, decisions.jsonl, state.db and
// its -wal/-shm) or the queue file.

afterAll(() => removeWorkspaces());

const random = (n: number): string => randomBytes(n).toString('hex');
const dbPassword = `db-${random(10)}`;
const redisPassword = `rd-${random(10)}`;
const SECRETS: Record<string, string> = {
  GITHUB_TOKEN: `ghp_${random(18)}`,
  DB_PASSWORD: `Pa55-${random(8)}`,
  APP_SECRET: `sec-${random(12)}`,
  STRIPE_API_KEY: `sk_live_${random(12)}`,
  SIGNING_KEY: `sig-${random(12)}`,
  AWS_SECRET_ACCESS_KEY: random(20),
  SMTP_PASS: `smtp-${random(8)}`,
  GPG_PASSPHRASE: `gpg-${random(8)}`,
  DATABASE_URL: `postgres://app:${dbPassword}@db.internal:5432/app`,
  REDIS_URL: `redis://:${redisPassword}@cache.internal:6379/0`,
};
/** Every value that must never be written: each secret, and the passwords inside the URLs. */
const NEEDLES = [...Object.values(SECRETS), dbPassword, redisPassword];

// An agent that prints every secret (stdout and stderr, whole, split across writes, inside a URL
// and JSON), notes that it saw them outside .aibrain/, then passes, fails or says BLOCKED.
const AGENT = `
const fs = require('fs');
const names = ${JSON.stringify(Object.keys(SECRETS))};
const values = names.map((n) => process.env[n]);
fs.appendFileSync('agent-saw.txt', values.join('\\n') + '\\n');
for (const v of values) { console.log('using ' + v); console.error('stderr ' + v); }
console.log(JSON.stringify({ env: Object.fromEntries(names.map((n) => [n, process.env[n]])) }));
process.stdout.write('token split ' + values[0].slice(0, 8));
setTimeout(() => {
  process.stdout.write(values[0].slice(8) + ' done\\n');
  const mode = process.argv[2];
  if (mode === 'pass') console.log('<promise>' + process.env.AUTONOMOUS_LOOP_PROMISE + '</promise>');
  if (mode === 'blocked') console.log('<verdict>BLOCKED: found ' + values[0] + ' in the diff</verdict>');
  if (mode === 'fail') { console.error('fatal: cannot log in with ' + process.env.DATABASE_URL); process.exit(1); }
}, 50);
`;

describe('secrets in the environment', () => {
  it('never reach a file under .aibrain/ or the queue file', () => {
    const ws = makeWorkspace();
    const agent = path.join(ws, 'agent.cjs');
    writeFileSync(agent, AGENT);
    const task = (id: string, mode: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
      id,
      description: `task ${id}`,
      agent_type: 'command',
      command: [process.execPath, agent, mode],
      max_iterations: 2,
      ...extra,
    });
    const queueFile = path.join(ws, 'tasks', 'work_queue_p.json');
    writeFileSync(
      queueFile,
      `${JSON.stringify({
        project: 'p',
        features: [
          task('LEAK-PASS', 'pass'),
          task('LEAK-FAIL', 'fail'),
          task('LEAK-BLOCKED', 'blocked'),
          task('GATED-OK', 'pass', { requires_approval: true }),
          task('GATED-NO', 'pass', { requires_approval: ['security review'] }),
          { id: 'DEPLOY-OK', agent_type: 'deployment', environment: 'dev', version: '1.0.0' },
          { id: 'DEPLOY-FAIL', agent_type: 'deployment', environment: 'dev', version: '1.0.1', depends_on: ['DEPLOY-OK'], max_iterations: 1 },
        ],
      }, null, 2)}\n`,
    );
    // The project's deploy command prints the secrets too; version 1.0.1 fails with them.
    mkdirSync(path.join(ws, 'governance', 'projects'), { recursive: true });
    const deploy = `const v = process.env.VERSION; for (const n of ${JSON.stringify(Object.keys(SECRETS))}) console.log(n + '=' + process.env[n]); if (v === '1.0.1') { console.error('deploy failed: ' + process.env.DATABASE_URL); process.exit(1); }`;
    writeFileSync(
      path.join(ws, 'governance', 'projects', 'p.yaml'),
      ['version: 1', 'path: .', 'environments:', '  development:', '    commands:', `      deploy: [${JSON.stringify(process.execPath)}, "-e", ${JSON.stringify(deploy)}]`, ''].join('\n'),
    );
    const env = SECRETS;
    const first = runCli(['--project', 'p', '--non-interactive'], { cwd: ws, env });
    expect(first.code, first.stderr).not.toBe(70);
    expect(runCli(['approve', 'GATED-OK', '--project', 'p', '--by', 'ann', '--comment', `checked, token ${SECRETS.GITHUB_TOKEN} is rotated`], { cwd: ws, env }).code).toBe(0);
    expect(runCli(['reject', 'GATED-NO', '--project', 'p', '--by', 'bob', '--comment', `no: ${SECRETS.DATABASE_URL} leaks`], { cwd: ws, env }).code).toBe(0);
    const second = runCli(['--project', 'p', '--non-interactive'], { cwd: ws, env });
    expect(second.code, second.stderr).toBe(1);

    // The run went everywhere it should: the agents saw the secrets, every record was written.
    const saw = readFileSync(path.join(ws, 'agent-saw.txt'), 'utf8');
    for (const value of Object.values(SECRETS)) expect(saw).toContain(value);
    const statuses = Object.fromEntries(
      (JSON.parse(readFileSync(queueFile, 'utf8')) as { features: { id: string; status: string }[] }).features.map((t) => [t.id, t.status]),
    );
    expect(statuses).toEqual({
      'LEAK-PASS': 'complete',
      'LEAK-FAIL': 'failed',
      'LEAK-BLOCKED': 'blocked',
      'GATED-OK': 'complete',
      'GATED-NO': 'blocked',
      'DEPLOY-OK': 'complete',
      'DEPLOY-FAIL': 'failed',
    });
    const aibrain = path.join(ws, '.aibrain');
    const decisions = readFileSync(path.join(aibrain, 'decisions.jsonl'), 'utf8');
    for (const kind of ['"approve"', '"reject"', '"veto"']) expect(decisions).toContain(kind);
    const deployments = JSON.parse(readFileSync(path.join(aibrain, 'deployments.json'), 'utf8')) as { deployments: { status: string }[] };
    expect(deployments.deployments.map((d) => d.status)).toEqual(expect.arrayContaining(['success', 'rolled_back']));
    expect(readFileSync(path.join(aibrain, 'logs', 'p.jsonl'), 'utf8')).toContain('[REDACTED]');

    // Not one secret in any of them, nor on the terminal.
    const files = [...listFiles(aibrain), queueFile];
    // The store itself (state.db, or under TEST_STORE=postgres the workspace's database, dumped) is searched too.
    const store = onPostgres() ? 'the state database' : path.join('.aibrain', 'state.db');
    if (!onPostgres()) expect(files.map((f) => path.relative(ws, f))).toEqual(expect.arrayContaining([store]));
    expect(files.map((f) => path.relative(ws, f))).toEqual(expect.arrayContaining([path.join('.aibrain', 'decisions.jsonl')]));
    const places: [string, Buffer][] = [...files.map((f): [string, Buffer] => [path.relative(ws, f), readFileSync(f)]), [store, stateBytes(ws)]];
    const leaks = places.flatMap(([where, bytes]) => NEEDLES.filter((needle) => bytes.includes(needle)).map((needle) => `${where} holds ${needle}`));
    expect(leaks).toEqual([]);
    for (const r of [first, second]) for (const needle of NEEDLES) expect(r.stdout + r.stderr).not.toContain(needle);
  });
});
