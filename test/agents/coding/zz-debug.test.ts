import { it } from 'vitest';
import { readFileSync } from 'node:fs';
import { runCli, writeQueue } from '../../helpers/workspace.js';
import { codingTask as task, codingWorkspace, git } from './coding-workspace.js';
import { installFakeClis } from './fake-clis.js';
it('dbg', () => {
  const ws = codingWorkspace();
  const fakes = installFakeClis(ws);
  const file = writeQueue(ws, 'p', { project: 'p', features: [
        task('A', 'claude', 'promise-on-2', { max_iterations: 3 }),
        task('CX', 'codex', 'promise-on-2', { max_iterations: 3 }),
        task('GM', 'gemini', 'promise-on-2', { max_iterations: 3 }),
        task('AD', 'aider', 'promise-on-2', { max_iterations: 3 }),
        task('ECHO', 'claude', 'echo-promise', { max_iterations: 1 }),
        task('RL', 'claude', 'rate-limit-then-ok', { max_iterations: 1 }),
  ] });
  const r = runCli(['--project', 'p'], { cwd: ws, env: fakes.env('promise-on-2') });
  console.log(r.code, r.stdout.split('\n').filter((l) => !/›/.test(l)).join('\n'), r.stderr);
  console.log(git(ws, 'log', '--all', '--stat', '--format=%h %s %d'));
  console.log(readFileSync(file, 'utf8'));
}, 120000);
