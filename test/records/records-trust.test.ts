import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeWorkspace, readJson, removeWorkspaces, runCli, writeQueue, type CliResult } from '../helpers/workspace.js';
import { itSqliteOnly } from '../helpers/test-store.js';

afterEach(removeWorkspaces);

// A deployment whose deploy command appends the version to app/deploys.log (so every real
// deployment is counted) and, when asked, damages deployments.json while it deploys.
function deployWorkspace(): { ws: string; deploys: () => string[] } {
  const ws = makeWorkspace();
  mkdirSync(path.join(ws, 'app'), { recursive: true });
  mkdirSync(path.join(ws, 'governance', 'projects'), { recursive: true });
  const script = [
    "const fs = require('fs');",
    "fs.appendFileSync('deploys.log', process.env.VERSION + '\\n');",
    "if (process.env.VERSION === '1.0.1') fs.truncateSync('../.aibrain/deployments.json', 300);",
  ].join(' ');
  writeFileSync(
    path.join(ws, 'governance', 'projects', 'shop.yaml'),
    `version: 1\npath: app\nenvironments:\n  development:\n    commands:\n      deploy: [${JSON.stringify(process.execPath)}, "-e", ${JSON.stringify(script)}]\n    health_check:\n      command: [${JSON.stringify(process.execPath)}, "-e", "0"]\n`,
  );
  const log = path.join(ws, 'app', 'deploys.log');
  return { ws, deploys: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []) };
}

const cascade = (version: string) => ({
  project: 'shop',
  features: [
    { id: `DEPLOY-DEV-${version}`, agent_type: 'deployment', environment: 'development', version },
    { id: `AFTER-${version}`, agent_type: 'noop', depends_on: [`DEPLOY-DEV-${version}`] },
  ],
});

function expectOneLine(r: CliResult, where: string, text: RegExp): void {
  expect(r.code, r.stdout + r.stderr).toBe(2);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toContain(where);
  expect(lines[0]).toMatch(text);
  expect(r.stderr).not.toMatch(/this is a bug|^\s*at .+:\d+/m);
}

describe('records are projections of state.db', () => {
  it('a deployments.json damaged during a deployment: the run says so, nothing is redone; the next start refuses, repair rewrites it', () => {
    const { ws, deploys } = deployWorkspace();
    const file = writeQueue(ws, 'shop', cascade('1.0.0'));
    expect(runCli(['--project', 'shop'], { cwd: ws }).code).toBe(0);
    writeQueue(ws, 'shop', { ...cascade('1.0.1'), features: [...readJson(file).features, ...cascade('1.0.1').features] });
    const r = runCli(['--project', 'shop'], { cwd: ws });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(deploys()).toEqual(['1.0.0', '1.0.1']);
    expect(readJson(file).features.map((t: { status: string }) => t.status)).toEqual(['complete', 'complete', 'complete', 'complete']);
    expect(r.stdout).toMatch(/deployments\.json.*autonomous-loop repair/);

    const deployments = path.join(ws, '.aibrain', 'deployments.json');
    const next = runCli(['--project', 'shop'], { cwd: ws });
    expectOneLine(next, deployments, /damaged.*autonomous-loop repair/);
    expectOneLine(runCli(['status', '--project', 'shop'], { cwd: ws }), deployments, /damaged/);

    const repair = runCli(['repair'], { cwd: ws });
    expect(repair.code, repair.stderr).toBe(0);
    expect(readJson(deployments).deployments.map((d: { version: string; status: string }) => [d.version, d.status])).toEqual([
      ['1.0.0', 'success'],
      ['1.0.1', 'success'],
    ]);
    expect(readdirSync(path.join(ws, '.aibrain')).some((f) => f.startsWith('deployments.json.damaged-'))).toBe(true);
    expect(runCli(['--project', 'shop'], { cwd: ws }).code).toBe(0);
    expect(deploys()).toEqual(['1.0.0', '1.0.1']);
  });

  it('a garbled or deleted decisions.jsonl is refused, never appended to or recreated silently', () => {
    const ws = makeWorkspace();
    writeQueue(ws, 'shop', { features: [{ id: 'S', agent_type: 'noop', environment: 'staging', version: '1.0.0' }] });
    expect(runCli(['--project', 'shop', '--yes'], { cwd: ws }).code).toBe(0);
    const decisions = path.join(ws, '.aibrain', 'decisions.jsonl');
    writeFileSync(decisions, '{"id": "x", garbage\n');
    expectOneLine(runCli(['approve', 'S', '--project', 'shop', '--by', 'ana'], { cwd: ws }), decisions, /damaged.*repair/);
    rmSync(decisions);
    expectOneLine(runCli(['--project', 'shop'], { cwd: ws }), decisions, /missing.*repair/);
    expect(existsSync(decisions)).toBe(false);
    expect(runCli(['repair'], { cwd: ws }).code).toBe(0);
    expect(readFileSync(decisions, 'utf8')).toContain('"decision":"approve"');
  });

  itSqliteOnly('it deletes and empties the file')('a deleted or emptied state.db is never started afresh while the records exist; repair rebuilds it from them', () => {
    const { ws, deploys } = deployWorkspace();
    writeQueue(ws, 'shop', { features: [{ id: 'S', agent_type: 'noop', environment: 'staging', version: '1.0.0' }, ...cascade('1.0.0').features] });
    expect(runCli(['--project', 'shop', '--yes'], { cwd: ws }).code).toBe(0);
    const db = path.join(ws, '.aibrain', 'state.db');
    truncateSync(db, 0);
    expectOneLine(runCli(['--project', 'shop'], { cwd: ws }), db, /missing or empty.*autonomous-loop repair/);
    rmSync(db);
    expectOneLine(runCli(['history'], { cwd: ws }), db, /missing or empty/);
    const repair = runCli(['repair'], { cwd: ws });
    expect(repair.code, repair.stderr).toBe(0);
    expect(repair.stdout).toMatch(/rebuilt from the records: 1 deployment\(s\), 1 decision\(s\)/);
    const history = JSON.parse(runCli(['history', '--json'], { cwd: ws }).stdout);
    expect(history.deployments.map((d: { version: string }) => d.version)).toEqual(['1.0.0']);
    expect(deploys()).toEqual(['1.0.0']);
  });

  itSqliteOnly('it garbles the bytes of the file')('a state.db garbled mid-file is detected at open: one line and the file, for status, run and approve', () => {
    const ws = makeWorkspace();
    writeQueue(ws, 'shop', { features: Array.from({ length: 40 }, (_, i) => ({ id: `T${i}`, agent_type: 'noop', description: 'x'.repeat(400) })) });
    expect(runCli(['--project', 'shop'], { cwd: ws }).code).toBe(0);
    const db = path.join(ws, '.aibrain', 'state.db');
    const fd = openSync(db, 'r+');
    writeSync(fd, Buffer.alloc(8192, 0x5a), 0, 8192, 8192);
    closeSync(fd);
    for (const args of [['status', '--project', 'shop'], ['--project', 'shop'], ['approve', 'T1', '--project', 'shop', '--by', 'ana']]) {
      expectOneLine(runCli(args, { cwd: ws }), db, /damaged.*autonomous-loop repair/);
    }
    const repair = runCli(['repair'], { cwd: ws });
    expect(repair.code, repair.stderr).toBe(0);
    expect(repair.stdout).toContain('set aside');
    expect(runCli(['status', '--project', 'shop'], { cwd: ws }).code).toBe(0);
  });

  it('a record file that is a symlink out of the workspace is refused', () => {
    const ws = makeWorkspace();
    writeQueue(ws, 'shop', { features: [{ id: 'S', agent_type: 'noop', environment: 'staging', version: '1.0.0' }] });
    const outside = path.join(os.tmpdir(), `al-outside-${process.pid}.jsonl`);
    writeFileSync(outside, '');
    mkdirSync(path.join(ws, '.aibrain'), { recursive: true });
    symlinkSync(outside, path.join(ws, '.aibrain', 'decisions.jsonl'));
    try {
      expectOneLine(runCli(['--project', 'shop', '--yes'], { cwd: ws }), 'decisions.jsonl', /symlink .*outside the workspace: refused/);
      expect(readFileSync(outside, 'utf8')).toBe('');
    } finally {
      rmSync(outside, { force: true });
    }
  });
});
