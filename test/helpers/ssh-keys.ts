import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './workspace.js';

// Real OpenSSH keys and a real ssh-agent for the signed-approval tests: made in a temp folder,
// the agent stopped (by its own pid) and the folder removed after.

export interface Keys {
  dir: string;
  /** Private key file of a person. */
  key(name: string): string;
  /** Their public key line. */
  pub(name: string): string;
}

export function makeKeys(names: string[]): Keys {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'al-keys-'));
  for (const name of names) {
    const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `${name}@laptop`, '-f', path.join(dir, name)], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
  }
  return { dir, key: (n) => path.join(dir, n), pub: (n) => readFileSync(path.join(dir, `${n}.pub`), 'utf8').trim() };
}

export interface Agent {
  env: { SSH_AUTH_SOCK: string };
  add(keyFile: string): void;
  stop(): void;
}

/** A real ssh-agent on its own socket, holding the keys added. */
export function startAgent(dir: string): Agent {
  const sock = path.join(dir, `agent-${process.pid}-${Math.random().toString(36).slice(2, 8)}.sock`);
  const r = spawnSync('ssh-agent', ['-s', '-a', sock], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  const pid = Number(/SSH_AGENT_PID=(\d+)/.exec(r.stdout)?.[1]);
  const env = { SSH_AUTH_SOCK: sock };
  return {
    env,
    add(keyFile) {
      const a = spawnSync('ssh-add', ['-q', keyFile], { env: { ...process.env, ...env }, encoding: 'utf8' });
      if (a.status !== 0) throw new Error(a.stderr);
    },
    stop() {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // gone already
      }
    },
  };
}

export function removeKeys(keys: Keys): void {
  rmSync(keys.dir, { recursive: true, force: true });
}

/** The shipped contract with these approvers (and any other lines) in place of `approvers: []`. */
export function writeSignedContract(ws: string, approvers: { name: string; pub?: string }[], extra = 'verified_approvals: [production]'): void {
  mkdirSync(path.join(ws, 'governance', 'contracts'), { recursive: true });
  const text = readFileSync(path.join(repoRoot, 'governance', 'contracts', 'operator-team.yaml'), 'utf8');
  const list = approvers.map((a) => (a.pub ? `  - name: ${a.name}\n    ssh_key: "${a.pub}"` : `  - ${a.name}`)).join('\n');
  writeFileSync(path.join(ws, 'governance', 'contracts', 'operator-team.yaml'), `${text.replace('approvers: []\n', `approvers:\n${list}\n`)}\n${extra}\n`);
}
