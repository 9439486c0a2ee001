import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeWorkspace, removeWorkspaces, runCli } from '../helpers/workspace.js';

afterEach(() => removeWorkspaces());

/** A migrations folder with a readable SQL pair and a Python file no migration reader understands. */
function folderWithUnread(): string {
  const ws = makeWorkspace();
  const dir = path.join(ws, 'migrations');
  mkdirSync(dir);
  writeFileSync(path.join(dir, '004_notes.up.sql'), 'ALTER TABLE items ADD COLUMN notes TEXT;\n');
  writeFileSync(path.join(dir, '004_notes.down.sql'), 'ALTER TABLE items DROP COLUMN notes;\n');
  writeFileSync(path.join(dir, '005_seed.py'), 'import os\n\ndef run():\n    os.system("psql -c \\"DELETE FROM items\\"")\n');
  return ws;
}

describe('--allow-unread on the command line', () => {
  it('scan: a migration nothing could read fails the scan (exit 1); --allow-unread lets it pass (exit 0), still listed', () => {
    const ws = folderWithUnread();
    const without = runCli(['scan', 'migrations', '--json'], { cwd: ws });
    expect(without.code).toBe(1);
    const report = JSON.parse(without.stdout) as { findings: { rule: string; file: string }[] };
    expect(report.findings).toEqual([expect.objectContaining({ rule: 'unreadable-file', file: expect.stringMatching(/005_seed\.py$/) })]);
    const allowed = runCli(['scan', 'migrations', '--json', '--allow-unread'], { cwd: ws });
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toMatch(/005_seed\.py/);
  });

  it('validate-migrations: an unread migration is an error (exit 1); with --allow-unread a warning (exit 0)', () => {
    const ws = folderWithUnread();
    const without = runCli(['validate-migrations', 'migrations', '--env', 'production'], { cwd: ws });
    expect(without.code).toBe(1);
    expect(without.stdout).toMatch(/Errors \(1\)[\s\S]*005_seed\.py:1 +CRITICAL +unreadable-file/);
    const allowed = runCli(['validate-migrations', 'migrations', '--env', 'production', '--allow-unread'], { cwd: ws });
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toMatch(/Warnings \(1\)[\s\S]*005_seed\.py:1 +CRITICAL +unreadable-file/);
  });
});
