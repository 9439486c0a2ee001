import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeWorkspace, repoRoot } from '../../helpers/workspace.js';

export const git = (cwd: string, ...args: string[]): string => {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
};

/** A workspace that is a git work tree with one commit, and the shipped contract with quick retries (plus `agents` lines). */
export function codingWorkspace(agents = '', retry = 'initial_seconds: 0.2, max_seconds: 1, max_retries: 3'): string {
  const ws = makeWorkspace();
  git(ws, 'init', '-q', '-b', 'main');
  git(ws, 'config', 'user.name', 'Test Person');
  git(ws, 'config', 'user.email', 'test@example.com');
  writeFileSync(path.join(ws, 'README.md'), '# app\n');
  writeFileSync(path.join(ws, '.gitignore'), 'fake-bin/\nfake-state/\n');
  git(ws, 'add', 'README.md', '.gitignore');
  git(ws, 'commit', '-qm', 'initial');
  mkdirSync(path.join(ws, 'governance', 'contracts'), { recursive: true });
  const contract = readFileSync(path.join(repoRoot, 'governance', 'contracts', 'operator-team.yaml'), 'utf8');
  writeFileSync(path.join(ws, 'governance', 'contracts', 'operator-team.yaml'), contract.replace(/^agents:\n/m, `agents:\n  claude:\n    retry: { ${retry} }\n${agents}`));
  git(ws, 'add', 'governance');
  git(ws, 'commit', '-qm', 'contract');
  return ws;
}

export const codingTask = (id: string, agent: string | null, scenario: string, extra: Record<string, unknown> = {}) => ({
  id,
  description: `Make ${id} work. scenario: ${scenario}`,
  ...(agent ? { agent_type: agent } : {}),
  completion_promise: 'DONE',
  ...extra,
});

export interface StatusTask {
  id: string;
  status: string;
  iterations: number;
  reason: string | null;
  last_error: string | null;
  cost_usd: number | null;
}
