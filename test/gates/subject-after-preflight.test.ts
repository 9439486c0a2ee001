import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fingerprintFolder } from '../../src/agents/deploy/fingerprint-folder.js';
import { makeWorkspace, readJson, removeWorkspaces, runCli, writeQueue } from '../helpers/workspace.js';

afterEach(removeWorkspaces);

// DESIGN, "The approval subject": computed when the task reaches its gate, AFTER pre-flight. Here the
// pre-flight's test command changes what the deploy runs (it copies ../incoming/deploy.js over the
// project's deploy.js, as a code generator or a careless test would). The approval must hold for
// what runs after that, never for the folder as it was before.
function project(): { ws: string; app: string; incoming: string; deploys: () => string[] } {
  const ws = makeWorkspace();
  const app = path.join(ws, 'app');
  mkdirSync(app, { recursive: true });
  mkdirSync(path.join(ws, 'incoming'), { recursive: true });
  mkdirSync(path.join(ws, 'governance', 'projects'), { recursive: true });
  const node = JSON.stringify(process.execPath);
  const copy = JSON.stringify("require('fs').copyFileSync('../incoming/deploy.js', 'deploy.js')");
  writeFileSync(
    path.join(ws, 'governance', 'projects', 'shop.yaml'),
    ['version: 1', 'path: app', 'environments:', '  development:', '    commands:', `      test: [${node}, "-e", ${copy}]`, `      deploy: [${node}, "deploy.js"]`, ''].join('\n'),
  );
  writeFileSync(path.join(app, 'deploy.js'), script('v1'));
  writeFileSync(path.join(ws, 'incoming', 'deploy.js'), script('v2'));
  writeQueue(ws, 'shop', { features: [{ id: 'DEPLOY-DEV-001', agent_type: 'deployment', environment: 'development', version: '1.0.0', requires_approval: true }] });
  const log = path.join(ws, 'deploys.log');
  return { ws, app, incoming: path.join(ws, 'incoming', 'deploy.js'), deploys: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []) };
}

// counted outside the project folder: a file written there would change what the approval covers
const script = (label: string): string => `require('fs').appendFileSync('../deploys.log', '${label}\\n');\n`;

const approvals = (ws: string): { decision: string; subject?: { project?: { content: string } } }[] =>
  readFileSync(path.join(ws, '.aibrain', 'decisions.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { decision: string; subject?: { project?: { content: string } } })
    .filter((d) => d.decision === 'approve');

describe('the approval subject is computed after pre-flight', () => {
  it('what the pre-flight changed is in the subject the person approves, and that is what runs', async () => {
    const p = project();
    const first = runCli(['--project', 'shop'], { cwd: p.ws });
    expect(first.code, first.stdout + first.stderr).toBe(3);
    // the gate ran the pre-flight before it computed the subject: the folder already holds v2
    expect(readFileSync(path.join(p.app, 'deploy.js'), 'utf8')).toBe(script('v2'));
    const shown = readJson(path.join(p.ws, 'tasks', 'work_queue_shop.json')).features[0].status;
    expect(shown).toBe('awaiting_approval');
    const stored = JSON.parse(runCli(['status', '--project', 'shop', '--json'], { cwd: p.ws }).stdout) as { tasks: { id: string; subject?: { project: { content: string } } }[] };
    const folder = await fingerprintFolder(p.app);
    expect(stored.tasks[0]?.subject?.project.content).toBe(folder.content);

    expect(runCli(['approve', 'DEPLOY-DEV-001', '--project', 'shop', '--by', 'ana'], { cwd: p.ws }).code).toBe(0);
    const second = runCli(['--project', 'shop'], { cwd: p.ws });
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(p.deploys()).toEqual(['v2']);
    // the approval names the content that ran
    expect(approvals(p.ws).at(-1)?.subject?.project?.content).toBe((await fingerprintFolder(p.app)).content);
  }, 120_000);

  it('an approval given before the gate does not hold when the pre-flight changes what runs: it asks again, nothing deployed', () => {
    const p = project();
    expect(runCli(['approve', 'DEPLOY-DEV-001', '--project', 'shop', '--by', 'ana'], { cwd: p.ws }).code).toBe(0);
    const run = runCli(['--project', 'shop'], { cwd: p.ws });
    expect(run.code, run.stdout + run.stderr).toBe(3);
    expect(p.deploys()).toEqual([]);
    expect(run.stdout).toContain("changed since ana approved it: the project's files");
    // approved again, after the pre-flight: now it runs what the person saw
    expect(runCli(['approve', 'DEPLOY-DEV-001', '--project', 'shop', '--by', 'ana'], { cwd: p.ws }).code).toBe(0);
    const again = runCli(['--project', 'shop'], { cwd: p.ws });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(p.deploys()).toEqual(['v2']);
  }, 120_000);

  it('a change after the pre-flight and the approval asks again', () => {
    const p = project();
    expect(runCli(['--project', 'shop'], { cwd: p.ws }).code).toBe(3);
    expect(runCli(['approve', 'DEPLOY-DEV-001', '--project', 'shop', '--by', 'ana'], { cwd: p.ws }).code).toBe(0);
    // a file the pre-flight does not touch (deploy.js it overwrites again, so that one would run as approved)
    writeFileSync(path.join(p.app, 'helper.js'), script('v3'));
    const run = runCli(['--project', 'shop'], { cwd: p.ws });
    expect(run.code, run.stdout + run.stderr).toBe(3);
    expect(run.stdout).toContain("changed since ana approved it: the project's files");
    expect(p.deploys()).toEqual([]);
  }, 120_000);
});

describe('the gate pre-flight of a task that waits', () => {
  it('is run afresh at the next gate: a failing test fixed meanwhile is not remembered as failing', () => {
    const ws = makeWorkspace();
    mkdirSync(path.join(ws, 'app'), { recursive: true });
    mkdirSync(path.join(ws, 'governance', 'projects'), { recursive: true });
    const node = JSON.stringify(process.execPath);
    // the tests pass once ../tests-fixed exists (outside the project folder: the subject stays the same)
    const test = JSON.stringify("process.exit(require('fs').existsSync('../tests-fixed') ? 0 : 1)");
    const deploy = JSON.stringify("require('fs').appendFileSync('../deploys.log', 'deployed\\n')");
    writeFileSync(
      path.join(ws, 'governance', 'projects', 'shop.yaml'),
      ['version: 1', 'path: app', 'environments:', '  development:', '    commands:', `      test: [${node}, "-e", ${test}]`, `      deploy: [${node}, "-e", ${deploy}]`, ''].join('\n'),
    );
    writeQueue(ws, 'shop', { features: [{ id: 'DEPLOY-DEV-001', agent_type: 'deployment', environment: 'development', version: '1.0.0', requires_approval: true, max_iterations: 1 }] });
    const first = runCli(['--project', 'shop'], { cwd: ws });
    expect(first.code, first.stdout + first.stderr).toBe(3);
    writeFileSync(path.join(ws, 'tests-fixed'), '');
    expect(runCli(['approve', 'DEPLOY-DEV-001', '--project', 'shop', '--by', 'ana'], { cwd: ws }).code).toBe(0);
    const second = runCli(['--project', 'shop'], { cwd: ws });
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(readFileSync(path.join(ws, 'deploys.log'), 'utf8')).toBe('deployed\n');
  }, 120_000);
});
