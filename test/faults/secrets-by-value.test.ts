import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { killPtys, startCliInPty } from '../helpers/pty.js';
import { listFiles, makeWorkspace, removeWorkspaces, runCli, writeQueue } from '../helpers/workspace.js';
import { stateBytes } from '../helpers/state-db.js';
import { onPostgres } from '../helpers/test-store.js';

// Secrets by value and by shape (issue 11): a task prints tokens of every known shape, and the
// value of GH_PAT (a name the old rules missed), a URL password holding '/' and '@', and a token
// split across a 64 KB pipe chunk; then fails with one in its error. Not one may be found on the
// terminal, under .aibrain/ (logs, state.db and its WAL, records) or in the queue file.

afterAll(() => {
  killPtys();
  removeWorkspaces();
});

const alnum = (n: number): string => {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(n), (b) => chars[b % chars.length]).join('');
};
const digits = (n: number): string => Array.from(randomBytes(n), (b) => String(b % 10)).join('');
const upper = (n: number): string => Array.from(randomBytes(n), (b) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[b % 32]).join('');
const b64 = (n: number): string => randomBytes(n).toString('base64').replace(/=/g, '').slice(0, n);

const pat = `pat-${alnum(24)}`;
const urlPassword = `p/${alnum(6)}@${alnum(6)}`;
const SECRETS = {
  gh_pat_env: pat,
  ghp: `ghp_${alnum(36)}`,
  github_pat: `github_pat_${alnum(22)}_${alnum(59)}`,
  aws_id: `AKIA${upper(16)}`,
  aws_secret: b64(40).replace(/[^A-Za-z0-9/+]/g, 'A'),
  // a bot token's real shape (team and user ids are digits), as gitleaks' rule knows it
  slack: `xoxb-${digits(12)}-${digits(12)}-${alnum(24)}`,
  jwt: `eyJ${alnum(20)}.eyJ${alnum(30)}.${alnum(30)}`,
  bearer: alnum(32),
  password: `Pw${alnum(14)}`,
  url_password: urlPassword,
  split: `ghp_${alnum(36)}`,
};

// The agent reads the secrets from a file: the queue (its command) holds none of them.
const AGENT = `
const s = JSON.parse(require('fs').readFileSync('secrets.json', 'utf8'));
console.log('env pat ' + process.env.GH_PAT);
console.log('literal ' + s.ghp + ' and ' + s.github_pat);
console.log('aws ' + s.aws_id + ' ' + s.aws_secret);
console.log('slack ' + s.slack + ' jwt ' + s.jwt);
console.log('curl -H "Authorization: Bearer ' + s.bearer + '" https://api');
console.log('connect host=db password=' + s.password + ' user=app');
console.log('mirror https://deploy:' + s.url_password + '@git.internal/repo.git');
process.stdout.write('x'.repeat(65536 - 8) + ' ' + s.split + '\\n');
setTimeout(() => { console.error('fatal: login failed for ' + s.ghp); process.exit(1); }, 50);
`;

describe('secrets by value and by shape', () => {
  it('are found nowhere: terminal, logs, state.db, records, queue file', () => {
    const ws = makeWorkspace();
    const queue = writeQueue(ws, 'p', { features: [{ id: 'LEAK', agent_type: 'command', command: [process.execPath, '-e', AGENT], max_iterations: 1 }] });
    writeFileSync(path.join(ws, 'secrets.json'), JSON.stringify(SECRETS));
    const env = { GH_PAT: pat, MIRROR_URL: `https://deploy:${urlPassword}@git.internal/repo.git` };
    const r = runCli(['--project', 'p'], { cwd: ws, env });
    expect(r.code).toBe(1);
    const places: [string, string][] = [
      ['terminal', r.stdout + r.stderr],
      ['queue', readFileSync(queue, 'utf8')],
      // where the agent read them from is the one place they are allowed
      ...listFiles(path.join(ws, '.aibrain')).map((f): [string, string] => [path.relative(ws, f), readFileSync(f).toString('latin1')]),
      // the store itself: state.db is among the files above; the database (TEST_STORE=postgres) dumped
      ...(onPostgres() ? [['the state database', stateBytes(ws).toString('latin1')] as [string, string]] : []),
    ];
    const found = Object.entries(SECRETS).flatMap(([name, value]) => places.filter(([, text]) => text.includes(value)).map(([where]) => `${name} in ${where}`));
    console.log(`secrets printed ${Object.keys(SECRETS).length}, found ${found.length}${found.length ? `: ${found.join(', ')}` : ''}`);
    expect(found).toEqual([]);
    expect(r.stdout).toContain('[REDACTED]');
  });

  it('are not shown in an approval box either', async () => {
    const ws = makeWorkspace();
    writeQueue(ws, 'p', { features: [{ id: 'GATED', agent_type: 'noop', requires_approval: [`rotate ${SECRETS.ghp} first`] }] });
    const pty = startCliInPty(['--project', 'p', '--approval-timeout', '2'], { cwd: ws });
    await pty.expect('APPROVAL REQUIRED');
    expect(await pty.exited).toBe(3);
    expect(pty.screen()).not.toContain(SECRETS.ghp);
    expect(pty.screen()).toContain('rotate [REDACTED] first');
  });
});
