import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { makeWorkspace, readJson, removeWorkspaces, repoRoot, runCli, writeQueue } from '../helpers/workspace.js';

// Issue 19, item 2: self-approval is decided by who people are (the OS user from the kernel), and
// approving before the run counts as much as approving during it.

afterEach(() => removeWorkspaces());

const statuses = (file: string): (string | undefined)[] => readJson(file).features.map((t: { status?: string }) => t.status);

function writeContract(ws: string, extra: string): void {
  mkdirSync(path.join(ws, 'governance', 'contracts'), { recursive: true });
  const text = readFileSync(path.join(repoRoot, 'governance', 'contracts', 'operator-team.yaml'), 'utf8');
  writeFileSync(path.join(ws, 'governance', 'contracts', 'operator-team.yaml'), `${text.replace('approvers: []\n', '')}\n${extra}\n`);
}

const prodQueue = { features: [{ id: 'DEPLOY-PROD-001', agent_type: 'noop', environment: 'production', version: '1.0.0' }] };

/** osUser() as a process running as `uid` sees it, with $USER saying something else. */
function osUserAs(uid: number): string {
  const module = pathToFileURL(path.join(repoRoot, 'dist', 'src', 'records', 'decision-record.js')).href;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', `import(${JSON.stringify(module)}).then((m) => process.stdout.write(m.osUser()))`], {
    uid,
    env: { ...process.env, USER: 'bob', LOGNAME: 'bob' },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
}

describe('who someone is, for prevent_self_approval', () => {
  it('the OS user comes from the kernel: a uid with no passwd entry is uid:NNNN, never $USER', () => {
    if (process.getuid?.() !== 0) return; // changing uid needs root: the CI container runs tests as root
    expect(osUserAs(4242)).toBe('uid:4242');
    expect(osUserAs(0)).toBe('root');
  });

  it('approving before any run counts: the same OS user then starting the production run is refused', () => {
    const ws = makeWorkspace();
    writeContract(ws, 'prevent_self_approval: true');
    const file = writeQueue(ws, 'shop', prodQueue);
    // the gate has been shown once (the subject is stored), then ana approves before the next run
    expect(runCli(['--project', 'shop'], { cwd: ws }).code).toBe(3);
    writeContract(ws, 'prevent_self_approval: false');
    expect(runCli(['approve', 'DEPLOY-PROD-001', '--project', 'shop', '--by', 'ana'], { cwd: ws }).code).toBe(0);
    writeContract(ws, 'prevent_self_approval: true');
    const r = runCli(['--project', 'shop'], { cwd: ws, env: { USER: 'someone-else' } });
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stdout).toContain('prevent_self_approval: approved by ana');
    expect(statuses(file)).toEqual(['awaiting_approval']);
  });

  it('approvers may be {name, ssh_key, os_users}: a run started by one of ana’s OS users is ana’s own', () => {
    const ws = makeWorkspace();
    const me = osUserAs(process.getuid?.() ?? 0);
    writeContract(ws, `prevent_self_approval: true\napprovers:\n  - name: ana\n    ssh_key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx1c2VyZmFrZWtleWZvcnRlc3RzMDEyMzQ1Njc4OQ ana@laptop"\n    os_users: [${me}]\n  - bo`);
    writeQueue(ws, 'shop', prodQueue);
    expect(runCli(['validate', '--project', 'shop'], { cwd: ws }).code).toBe(0);
    expect(runCli(['--project', 'shop'], { cwd: ws }).code).toBe(3);
    const r = runCli(['approve', 'DEPLOY-PROD-001', '--project', 'shop', '--by', 'ana'], { cwd: ws });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('prevent_self_approval');
    const mallory = runCli(['approve', 'DEPLOY-PROD-001', '--project', 'shop', '--by', 'mallory'], { cwd: ws });
    expect(mallory.code).toBe(2);
    expect(mallory.stderr).toContain("'mallory' may not approve production (may: ana, bo)");
  });
});
