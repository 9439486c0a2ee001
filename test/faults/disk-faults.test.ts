import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { makeWorkspace, removeWorkspaces, runCli, type CliResult } from '../helpers/workspace.js';
import { itSqliteOnly } from '../helpers/test-store.js';
import { makeDirs } from '../../src/workspace/make-dirs.js';

// Disk full and a read-only (or blocked) .aibrain/ (issue 6): every such run ends with one line
// naming the path, the error code and what to do, no stack, and the queue untouched; exit 5 when
// the storage failed (full, read-only, refused: DESIGN), exit 2 when a path cannot be used.
// Faults are real: a file where a folder belongs, /dev/full, and tmpfs mounts (read-only, tiny)
// when this machine lets us mount; as root chmod does not stop a write, so it is not used then.

const QUEUE = `${JSON.stringify({ project: 'p', features: [{ id: 'A', agent_type: 'noop' }, { id: 'B', agent_type: 'noop', depends_on: ['A'] }] }, null, 2)}\n`;
const mounts: string[] = [];

afterEach(() => {
  for (const dir of mounts.splice(0).reverse()) spawnSync('umount', ['-l', dir]);
});
afterAll(() => removeWorkspaces());

function workspaceWith(queue = QUEUE): { ws: string; queueFile: string } {
  const ws = makeWorkspace();
  const queueFile = path.join(ws, 'tasks', 'work_queue_p.json');
  writeFileSync(queueFile, queue);
  return { ws, queueFile };
}

/** Mounts a tmpfs (a real small file system); the reason it cannot, when it cannot. */
function mountTmpfs(dir: string, options: string): string | undefined {
  mkdirSync(dir, { recursive: true });
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) return `mount -t tmpfs is not permitted here (${(r.stderr || r.error?.message || `exit ${r.status}`).trim()})`;
  mounts.push(dir);
  return undefined;
}

const canMount = ((): string | undefined => {
  const probe = path.join(makeWorkspace(), 'probe');
  const why = mountTmpfs(probe, 'size=16k');
  if (!why) spawnSync('umount', [mounts.pop()!]);
  return why;
})();

/** One line on stderr naming `where`, the code and what to do; nothing that looks like a stack. */
function expectOneClearLine(r: CliResult, where: string, code: RegExp, advice: RegExp, exitCode = 5): void {
  expect(r.code, r.stderr).toBe(exitCode);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^autonomous-loop: /);
  expect(lines[0]).toContain(where);
  expect(lines[0]).toMatch(code);
  expect(lines[0]).toMatch(advice);
  expect(r.stderr).not.toMatch(/this is a bug|^\s*at .+:\d+/m);
}

describe('a .aibrain/ that cannot be written', () => {
  it('is a file: the run and approve say so and touch nothing', () => {
    const { ws, queueFile } = workspaceWith();
    writeFileSync(path.join(ws, '.aibrain'), 'not a folder\n');
    for (const args of [['--project', 'p'], ['approve', 'A', '--project', 'p', '--by', 'ann']]) {
      const r = runCli(args, { cwd: ws });
      expectOneClearLine(r, path.join(ws, '.aibrain'), /\((EEXIST|ENOTDIR)\)/, /a file stands where a folder belongs.*move it away/, 2);
    }
    expect(readFileSync(queueFile, 'utf8')).toBe(QUEUE);
    expect(readFileSync(path.join(ws, '.aibrain'), 'utf8')).toBe('not a folder\n');
  });

  itSqliteOnly('the store is the file')('holds a folder where state.db belongs', () => {
    const { ws, queueFile } = workspaceWith();
    mkdirSync(path.join(ws, '.aibrain', 'state.db'), { recursive: true });
    const r = runCli(['--project', 'p'], { cwd: ws });
    expectOneClearLine(r, path.join(ws, '.aibrain', 'state.db'), /\(SQLITE_CANTOPEN\)/, /not a folder/, 2);
    expect(readFileSync(queueFile, 'utf8')).toBe(QUEUE);
  });

  it('holds a file where logs/ belongs, or a folder where the log file belongs: the lock is not left behind', () => {
    for (const [blocker, where, code] of [
      ['logs', path.join('.aibrain', 'logs'), /\((EEXIST|ENOTDIR)\)/],
      ['logs/p.jsonl', path.join('.aibrain', 'logs', 'p.jsonl'), /\(EISDIR\)/],
    ] as const) {
      const { ws, queueFile } = workspaceWith();
      const blocked = path.join(ws, '.aibrain', blocker);
      mkdirSync(path.dirname(blocked), { recursive: true });
      if (blocker === 'logs') writeFileSync(blocked, 'x');
      else mkdirSync(blocked);
      expectOneClearLine(runCli(['--project', 'p'], { cwd: ws }), path.join(ws, where), code, /move it away and run again/, 2);
      expect(readFileSync(queueFile, 'utf8')).toBe(QUEUE);
      rmSync(blocked, { recursive: true });
      const again = runCli(['--project', 'p'], { cwd: ws });
      expect(again.code, again.stderr).toBe(0);
      expect(readFileSync(path.join(ws, '.aibrain', 'logs', 'p.jsonl'), 'utf8')).not.toContain('took over the lock');
    }
  });

  it('fails every log write with ENOSPC (/dev/full): the run stops before any task and the queue is untouched', () => {
    const { ws, queueFile } = workspaceWith();
    const log = path.join(ws, '.aibrain', 'logs', 'p.jsonl');
    mkdirSync(path.dirname(log), { recursive: true });
    symlinkSync('/dev/full', log);
    const r = runCli(['--project', 'p'], { cwd: ws });
    expectOneClearLine(r, log, /\(ENOSPC\)/, /the disk is full: free some space and run again/);
    expect(readFileSync(queueFile, 'utf8')).toBe(QUEUE);
    rmSync(log);
    const again = runCli(['--project', 'p'], { cwd: ws });
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(readFileSync(queueFile, 'utf8')).features.map((t: { status: string }) => t.status)).toEqual(['complete', 'complete']);
  });

  it('has /dev/full where decisions.jsonl belongs: approve refuses at once (no endless read), and the decision reaches the file later', () => {
    const queue = `${JSON.stringify({ features: [{ id: 'GATED', agent_type: 'noop', requires_approval: true }] }, null, 2)}\n`;
    const { ws, queueFile } = workspaceWith(queue);
    expect(runCli(['--project', 'p', '--non-interactive'], { cwd: ws }).code).toBe(3);
    const decisions = path.join(ws, '.aibrain', 'decisions.jsonl');
    symlinkSync('/dev/full', decisions);
    const approve = runCli(['approve', 'GATED', '--project', 'p', '--by', 'ann'], { cwd: ws, timeoutMs: 20_000 });
    // Refused before anything is recorded (a symlink out of the workspace); approved again once it is gone.
    expectOneClearLine(approve, decisions, /symlink to \/dev\/full, outside the workspace: refused/, /put a regular file there/, 2);
    rmSync(decisions);
    expect(runCli(['approve', 'GATED', '--project', 'p', '--by', 'ann'], { cwd: ws }).code).toBe(0);
    const run = runCli(['--project', 'p', '--non-interactive'], { cwd: ws });
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(decisions, 'utf8')).toMatch(/"decision":"approve".*"by":"ann"/);
    expect(JSON.parse(readFileSync(queueFile, 'utf8')).features[0].status).toBe('complete');
  });
});

describe('a read-only or full file system (tmpfs)', () => {
  it('is not writable for this user (chmod 0555; only when not root: root writes through it)', (ctx) => {
    if (process.getuid?.() === 0) ctx.skip('running as root, where chmod 0555 does not stop a write: the tmpfs read-only test covers this');
    const { ws, queueFile } = workspaceWith();
    const aibrain = path.join(ws, '.aibrain');
    mkdirSync(aibrain);
    chmodSync(aibrain, 0o555);
    try {
      expectOneClearLine(runCli(['--project', 'p'], { cwd: ws }), aibrain, /\(EACCES\)/, /permission denied: make it writable/);
      expect(readFileSync(queueFile, 'utf8')).toBe(QUEUE);
    } finally {
      chmodSync(aibrain, 0o755);
    }
  });

  it('is read-only: before the first run and after one', (ctx) => {
    if (canMount) ctx.skip(canMount);
    const { ws, queueFile } = workspaceWith();
    const aibrain = path.join(ws, '.aibrain');
    expect(mountTmpfs(aibrain, 'ro,size=64k')).toBeUndefined();
    expectOneClearLine(runCli(['--project', 'p'], { cwd: ws }), aibrain, /\(EROFS\)/, /read-only: make it writable/);
    expect(readFileSync(queueFile, 'utf8')).toBe(QUEUE);
    spawnSync('umount', [mounts.pop()!]);

    expect(mountTmpfs(aibrain, 'size=1m')).toBeUndefined();
    expect(runCli(['--project', 'p'], { cwd: ws }).code).toBe(0);
    const afterRun = readFileSync(queueFile, 'utf8');
    expect(spawnSync('mount', ['-o', 'remount,ro', aibrain]).status).toBe(0);
    const more = `${JSON.stringify({ project: 'p', features: [...JSON.parse(afterRun).features, { id: 'C', agent_type: 'noop' }] }, null, 2)}\n`;
    writeFileSync(queueFile, more);
    expectOneClearLine(runCli(['--project', 'p'], { cwd: ws }), aibrain, /\(EROFS\)/, /read-only/);
    expect(readFileSync(queueFile, 'utf8')).toBe(more);
  });

  it('is read-only: a folder made under it fails with EROFS, not the ENOENT Node\'s recursive mkdir says', (ctx) => {
    if (canMount) ctx.skip(canMount);
    const { ws } = workspaceWith();
    const aibrain = path.join(ws, '.aibrain');
    expect(mountTmpfs(aibrain, 'ro,size=64k')).toBeUndefined();
    // (On PostgreSQL the log folder is the run's first write there: it said "the path cannot be used", exit 2.)
    expect(() => mkdirSync(path.join(aibrain, 'logs', 'deep'), { recursive: true })).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(() => makeDirs(path.join(aibrain, 'logs', 'deep'))).toThrow(expect.objectContaining({ code: 'EROFS' }));
  });

  it('is full before the run starts', (ctx) => {
    if (canMount) ctx.skip(canMount);
    const { ws, queueFile } = workspaceWith();
    const aibrain = path.join(ws, '.aibrain');
    expect(mountTmpfs(aibrain, 'size=64k')).toBeUndefined();
    const fill = spawnSync('dd', ['if=/dev/zero', `of=${path.join(aibrain, 'filler')}`, 'bs=4k', 'count=64'], { encoding: 'utf8' });
    expect(fill.stderr).toMatch(/No space left on device/);
    expectOneClearLine(runCli(['--project', 'p'], { cwd: ws }), aibrain, /\((SQLITE_FULL|ENOSPC)\)/, /the disk is full: free some space and run again/);
    expect(readFileSync(queueFile, 'utf8')).toBe(QUEUE);
  });

  // On PostgreSQL the state store is not on that disk: what the run still writes there (its log lines) may fit
  // the last pages, and an iteration log that cannot be written is a warning; a log that fails stops the run
  // (the /dev/full case above, on both stores).
  itSqliteOnly('the state store is on the full disk only with SQLite')('fills up during a run: one clear line, a queue that only gained statuses, and a clean resume once there is space', (ctx) => {
    if (canMount) ctx.skip(canMount);
    const aibrainDir = '.aibrain';
    // FILL's agent fills the disk under .aibrain/ and keeps its promise; what the loop then writes fails.
    const fillScript = [
      "const fs = require('fs');",
      "if (!fs.existsSync('filled-once')) {",
      "fs.writeFileSync('filled-once', '');",
      `const fd = fs.openSync(${JSON.stringify(`${aibrainDir}/filler`)}, 'w');`,
      "const chunk = Buffer.alloc(4096);",
      "try { for (;;) fs.writeSync(fd, chunk); } catch (e) { if (e.code !== 'ENOSPC') throw e; }",
      '}',
      "console.log('<promise>TASK_COMPLETE</promise>');",
    ].join('\n');
    const queue = `${JSON.stringify({
      project: 'p',
      features: [
        { id: 'FILL', agent_type: 'command', command: [process.execPath, '-e', fillScript], max_iterations: 1 },
        { id: 'AFTER', agent_type: 'noop', depends_on: ['FILL'] },
      ],
    }, null, 2)}\n`;
    const { ws, queueFile } = workspaceWith(queue);
    const aibrain = path.join(ws, aibrainDir);
    expect(mountTmpfs(aibrain, 'size=1m')).toBeUndefined();
    const r = runCli(['--project', 'p', '--non-interactive'], { cwd: ws });
    expectOneClearLine(r, aibrain, /\((SQLITE_FULL|ENOSPC)\)/, /the disk is full: free some space and run again/);
    const text = readFileSync(queueFile, 'utf8');
    const withoutStatuses = (t: string): unknown => (JSON.parse(t) as { features: Record<string, unknown>[] }).features.map(({ status: _s, ...rest }) => rest);
    expect(withoutStatuses(text)).toEqual(withoutStatuses(queue));

    rmSync(path.join(aibrain, 'filler'));
    const again = runCli(['--project', 'p', '--non-interactive'], { cwd: ws });
    expect(again.code, again.stderr).toBe(0);
    const statuses = (JSON.parse(readFileSync(queueFile, 'utf8')) as { features: { status: string }[] }).features.map((t) => t.status);
    expect(statuses).toEqual(['complete', 'complete']);
  });

  it('holds a read-only tasks/ folder: the write-back fails with one line and the queue stays as it was', (ctx) => {
    if (canMount) ctx.skip(canMount);
    const { ws, queueFile } = workspaceWith();
    const tasks = path.join(ws, 'tasks');
    expect(mountTmpfs(tasks, 'size=64k')).toBeUndefined();
    writeFileSync(queueFile, QUEUE);
    expect(spawnSync('mount', ['-o', 'remount,ro', tasks]).status).toBe(0);
    expectOneClearLine(runCli(['--project', 'p'], { cwd: ws }), queueFile, /\(EROFS\)/, /read-only/);
    expect(readFileSync(queueFile, 'utf8')).toBe(QUEUE);
  });
});
