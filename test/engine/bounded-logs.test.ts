import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliPath, makeWorkspace, removeWorkspaces, runCli, writeQueue } from '../helpers/workspace.js';

// Issue 19: output is bounded — an iteration's log keeps its head and tail with the cut said, and
// .aibrain/runs/ keeps the contract's logs.keep_runs runs in at most logs.max_bytes.

afterAll(() => removeWorkspaces());

const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? files(path.join(dir, d.name)) : [path.join(dir, d.name)]));

// 3 MB an iteration: 3072 numbered lines of 1 KB; no promise, so every iteration fails.
const FLOOD = "for (let i = 0; i < 3072; i++) console.log('line ' + i + ' ' + 'y'.repeat(1000)); console.log('last line');";

describe('bounded output', () => {
  it('caps each iteration log and keeps the runs and bytes the contract allows', () => {
    const ws = makeWorkspace();
    mkdirSync(path.join(ws, 'governance', 'contracts'), { recursive: true });
    const maxBytes = 3 * 1024 * 1024;
    writeFileSync(
      path.join(ws, 'governance', 'contracts', 'operator-team.yaml'),
      `version: 1\nenvironments:\n  development: { auto_deploy: true, auto_rollback: true, approval: never }\n  staging: { auto_deploy: true, auto_rollback: true, approval: first-time }\n  production: { auto_deploy: false, auto_rollback: false, approval: always }\nlogs: { keep_runs: 2, max_bytes: ${maxBytes} }\n`,
    );
    for (const run of [1, 2, 3]) {
      writeQueue(ws, 'p', { features: [{ id: `FLOOD-${run}`, agent_type: 'command', command: [process.execPath, '-e', FLOOD], completion_promise: 'DONE', max_iterations: 3 }] });
      // the terminal output (9 MB) goes to a file: a pipe read into memory would cap it
      const out = openSync(path.join(ws, `terminal-${run}.txt`), 'w');
      const r = spawnSync(process.execPath, [cliPath, '--project', 'p'], { cwd: ws, env: { ...process.env, CI: '1' }, stdio: ['ignore', out, out], timeout: 120_000 });
      closeSync(out);
      expect(r.status, readFileSync(path.join(ws, `terminal-${run}.txt`), 'utf8').slice(-2000)).toBe(1);
    }
    const runs = path.join(ws, '.aibrain', 'runs');
    const logs = files(runs);
    const total = logs.reduce((s, f) => s + statSync(f).size, 0);
    console.log(`bounded logs: 3 runs x 3 iterations x 3 MB printed; kept ${readdirSync(runs).length} run(s), ${logs.length} log(s), ${(total / 1048576).toFixed(2)} MB`);
    expect(readdirSync(runs).length).toBeLessThanOrEqual(2);
    expect(total).toBeLessThanOrEqual(maxBytes);
    expect(logs.length).toBeGreaterThan(0);
    for (const f of logs) {
      expect(statSync(f).size).toBeLessThan(1024 * 1024 + 1024);
      const text = readFileSync(f, 'utf8');
      expect(text.startsWith('line 0 ')).toBe(true);
      expect(text).toMatch(/\[… [\d.]+ MB of output cut here: this log keeps the first 256 KB and the last 768 KB of an iteration …\]/);
      expect(text.trimEnd().endsWith('last line')).toBe(true);
    }
    // the newest run's last iteration is there to read
    expect(runCli(['logs', 'FLOOD-3', '--project', 'p'], { cwd: ws }).stdout).toContain('last line');
  }, 300_000);

  it('caps an iteration log at the contract\'s logs.iteration_max_bytes', () => {
    const ws = makeWorkspace();
    mkdirSync(path.join(ws, 'governance', 'contracts'), { recursive: true });
    writeFileSync(
      path.join(ws, 'governance', 'contracts', 'operator-team.yaml'),
      'version: 1\nenvironments:\n  development: { auto_deploy: true, auto_rollback: true, approval: never }\n  staging: { auto_deploy: true, auto_rollback: true, approval: first-time }\n  production: { auto_deploy: false, auto_rollback: false, approval: always }\nlogs: { iteration_max_bytes: 131072 }\n',
    );
    writeQueue(ws, 'p', { features: [{ id: 'FLOOD', agent_type: 'command', command: [process.execPath, '-e', FLOOD], completion_promise: 'DONE', max_iterations: 1 }] });
    // the terminal output (3 MB) goes to a file: a pipe read into memory would cap it
    const out = openSync(path.join(ws, 'terminal.txt'), 'w');
    const r = spawnSync(process.execPath, [cliPath, '--project', 'p'], { cwd: ws, env: { ...process.env, CI: '1' }, stdio: ['ignore', out, out], timeout: 120_000 });
    closeSync(out);
    expect(r.status, readFileSync(path.join(ws, 'terminal.txt'), 'utf8').slice(-2000)).toBe(1);
    const [log] = files(path.join(ws, '.aibrain', 'runs'));
    const text = readFileSync(log!, 'utf8');
    expect(statSync(log!).size).toBeLessThan(128 * 1024 + 1024);
    expect(text.startsWith('line 0 ')).toBe(true);
    expect(text).toMatch(/\[… [\d.]+ MB of output cut here: this log keeps the first 32 KB and the last 96 KB of an iteration …\]/);
    expect(text.trimEnd().endsWith('last line')).toBe(true);
    // a cap below 64 KiB is refused as bad input, naming the key
    writeFileSync(path.join(ws, 'governance', 'contracts', 'operator-team.yaml'), readFileSync(path.join(ws, 'governance', 'contracts', 'operator-team.yaml'), 'utf8').replace('131072', '100'));
    const bad = runCli(['--project', 'p'], { cwd: ws });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/logs\.iteration_max_bytes/);
  }, 300_000);
});
