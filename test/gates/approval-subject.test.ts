import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeWorkspace, readJson, removeWorkspaces, repoRoot, runCli, writeQueue } from '../helpers/workspace.js';

// Issue 19, item 1: a production approval holds for exactly what runs. Each change below, made
// after `approve`, must make the next run ask again and say what changed.

afterEach(() => removeWorkspaces());

const git = (cwd: string, ...args: string[]): string => {
  const r = spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
};

const statuses = (file: string): (string | undefined)[] => readJson(file).features.map((t: { status?: string }) => t.status);
const decisions = (ws: string): Record<string, unknown>[] =>
  readFileSync(path.join(ws, '.aibrain', 'decisions.jsonl'), 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));

function writeContract(ws: string, edit: (text: string) => string): void {
  mkdirSync(path.join(ws, 'governance', 'contracts'), { recursive: true });
  const text = readFileSync(path.join(repoRoot, 'governance', 'contracts', 'operator-team.yaml'), 'utf8');
  writeFileSync(path.join(ws, 'governance', 'contracts', 'operator-team.yaml'), edit(text));
}

interface Project {
  ws: string;
  app: string;
  yaml: string;
  queue: string;
}

/**
 * A workspace whose project lives in a subfolder (`repo/app`) of a git repository: a deploy script
 * that imports a helper, a migrations folder, a health URL with `${PORT}`.
 */
function makeProject(options: { passthrough?: string; port?: number; migrations?: boolean } = {}): Project {
  const ws = makeWorkspace();
  const repo = path.join(ws, 'repo');
  const app = path.join(repo, 'app');
  mkdirSync(path.join(app, 'migrations'), { recursive: true });
  writeFileSync(path.join(app, 'deploy.mjs'), "import { say } from './lib.mjs';\nsay(process.argv[2]);\n");
  writeFileSync(path.join(app, 'lib.mjs'), 'export const say = (v) => console.log(`deployed ${v}`);\n');
  writeFileSync(path.join(app, 'migrations', '001_init.up.sql'), 'CREATE TABLE t (id int);\n');
  writeFileSync(path.join(repo, '.gitignore'), 'app/cache/\n');
  git(repo, 'init', '-q');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-qm', 'first');
  mkdirSync(path.join(ws, 'governance', 'projects'), { recursive: true });
  const yaml = path.join(ws, 'governance', 'projects', 'shop.yaml');
  writeFileSync(
    yaml,
    [
      'version: 1',
      'path: repo/app',
      ...(options.passthrough ? [`env_passthrough: ${options.passthrough}`] : []),
      'environments:',
      '  production:',
      `    port: ${options.port ?? 5501}`,
      '    env:',
      '      MODE: "blue"',
      '    commands:',
      `      deploy: ["\${NODE}", "deploy.mjs", "\${VERSION}"]`,
      '    health_check:',
      '      url: "http://127.0.0.1:${PORT}/health"',
      '',
    ].join('\n'),
  );
  const queue = writeQueue(ws, 'shop', {
    features: [{ id: 'DEPLOY-PROD-001', agent_type: 'noop', environment: 'production', version: '1.0.0', ...(options.migrations === false ? {} : { run_migrations: true, migrations_path: 'migrations' }) }],
  });
  return { ws, app, yaml, queue };
}

/** Run to the gate, approve as ana: what ana signed off is now stored. */
function approveFirst(p: Project, env: Record<string, string> = {}): void {
  const first = runCli(['--project', 'shop'], { cwd: p.ws, env });
  expect(first.code, first.stderr).toBe(3);
  const ok = runCli(['approve', 'DEPLOY-PROD-001', '--project', 'shop', '--by', 'ana'], { cwd: p.ws, env });
  expect(ok.code, ok.stderr).toBe(0);
}

/** The run after a change: it asks again (exit 3, still waiting) and names what changed. */
function expectAskedAgain(p: Project, what: RegExp | string, env: Record<string, string> = {}): void {
  const r = runCli(['--project', 'shop'], { cwd: p.ws, env });
  expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(3);
  expect(statuses(p.queue)).toEqual(['awaiting_approval']);
  if (typeof what === 'string') expect(r.stdout).toContain(what);
  else expect(r.stdout).toMatch(what);
}

describe('a production approval holds for exactly what runs (the reported change kinds)', () => {
  it('an unchanged project runs on its approval (the control)', () => {
    const p = makeProject();
    approveFirst(p);
    const r = runCli(['--project', 'shop'], { cwd: p.ws });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(statuses(p.queue)).toEqual(['complete']);
  });

  it("the project file's path pointed at an edited copy of the folder", () => {
    const p = makeProject();
    approveFirst(p);
    cpSync(path.join(p.ws, 'repo'), path.join(p.ws, 'copy'), { recursive: true });
    appendFileSync(path.join(p.ws, 'copy', 'app', 'deploy.mjs'), 'console.log("evil");\n');
    writeFileSync(p.yaml, readFileSync(p.yaml, 'utf8').replace('path: repo/app', 'path: copy/app'));
    expectAskedAgain(p, /changed since ana approved it: the project folder .*copy\/app/);
  });

  it('a new commit when path is a subfolder of the repository; the commit is recorded truthfully', () => {
    const p = makeProject();
    approveFirst(p);
    const approved = decisions(p.ws).at(-1)!.subject as { project: { commit: string | null } };
    expect(approved.project.commit).toBe(git(path.join(p.ws, 'repo'), 'rev-parse', 'HEAD'));
    writeFileSync(path.join(p.app, 'README.md'), 'notes\n');
    git(path.join(p.ws, 'repo'), 'add', '-A');
    git(path.join(p.ws, 'repo'), 'commit', '-qm', 'second');
    expectAskedAgain(p, /changed since ana approved it: commit [0-9a-f]{12}/);
  });

  it('an uncommitted edit of the deploy script', () => {
    const p = makeProject();
    approveFirst(p);
    appendFileSync(path.join(p.app, 'deploy.mjs'), 'console.log("one more line");\n');
    expectAskedAgain(p, "changed since ana approved it: the project's files (uncommitted or untracked changes)");
  });

  it('an edit of a file the deploy script imports', () => {
    const p = makeProject();
    approveFirst(p);
    writeFileSync(path.join(p.app, 'lib.mjs'), 'export const say = () => console.log("something else");\n');
    expectAskedAgain(p, "the project's files");
  });

  it('an untracked new file; a git-ignored one does not count', () => {
    const p = makeProject();
    approveFirst(p);
    mkdirSync(path.join(p.app, 'cache'), { recursive: true });
    writeFileSync(path.join(p.app, 'cache', 'x.bin'), 'ignored');
    const r = runCli(['--project', 'shop'], { cwd: p.ws });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const q = readJson(p.queue);
    q.features[0].status = 'pending';
    writeFileSync(p.queue, JSON.stringify(q));
    approveFirst(p);
    writeFileSync(path.join(p.app, 'extra.mjs'), 'console.log(1)\n');
    expectAskedAgain(p, "the project's files");
  });

  it("a variable of the invoking shell reaches the commands only through env_passthrough, and a change of its value asks again", () => {
    const p = makeProject({ passthrough: '[DEPLOY_TOKEN, {name: AWS_SESSION_TOKEN, volatile: true}]' });
    approveFirst(p, { DEPLOY_TOKEN: 'first-value', AWS_SESSION_TOKEN: 'a' });
    // the value itself is never stored
    expect(readFileSync(path.join(p.ws, '.aibrain', 'decisions.jsonl'), 'utf8')).not.toContain('first-value');
    expectAskedAgain(p, 'changed since ana approved it: environment DEPLOY_TOKEN changed', { DEPLOY_TOKEN: 'second-value', AWS_SESSION_TOKEN: 'a' });
  });

  it('a volatile passthrough counts by presence only', () => {
    const p = makeProject({ passthrough: '[{name: AWS_SESSION_TOKEN, volatile: true}]' });
    approveFirst(p, { AWS_SESSION_TOKEN: 'a' });
    const r = runCli(['--project', 'shop'], { cwd: p.ws, env: { AWS_SESSION_TOKEN: 'b' } });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const q = readJson(p.queue);
    q.features[0].status = 'pending';
    writeFileSync(p.queue, JSON.stringify(q));
    approveFirst(p, { AWS_SESSION_TOKEN: 'a' });
    expectAskedAgain(p, 'environment AWS_SESSION_TOKEN removed', {});
  });

  it("a changed env: value of the project file", () => {
    const p = makeProject();
    approveFirst(p);
    writeFileSync(p.yaml, readFileSync(p.yaml, 'utf8').replace('MODE: "blue"', 'MODE: "green"'));
    expectAskedAgain(p, 'environment MODE changed');
  });

  it('a changed port: the health URL is compared with ${PORT} filled in', () => {
    const p = makeProject();
    approveFirst(p);
    writeFileSync(p.yaml, readFileSync(p.yaml, 'utf8').replace('port: 5501', 'port: 5502'));
    expectAskedAgain(p, 'health check http://127.0.0.1:5501/health -> http://127.0.0.1:5502/health');
  });

  it("the approver removed from the contract's approvers after approving", () => {
    const p = makeProject();
    writeContract(p.ws, (t) => t.replace('approvers: []', 'approvers: [ana, bo]'));
    approveFirst(p);
    writeContract(p.ws, (t) => t.replace('approvers: []', 'approvers: [bo]'));
    expectAskedAgain(p, "ana is no longer on the contract's approvers");
  });

  it('a migration added after the first 10,000 files of the folder', () => {
    const p = makeProject();
    const dir = path.join(p.app, 'migrations');
    for (let i = 2; i <= 10_001; i++) writeFileSync(path.join(dir, `${String(i).padStart(5, '0')}_m.up.sql`), 'SELECT 1;\n');
    approveFirst(p);
    writeFileSync(path.join(dir, '99999_drop.up.sql'), 'DROP TABLE users;\n');
    expectAskedAgain(p, 'migrations');
  }, 120_000);
});

describe('the stored subject', () => {
  it('a production approval with no stored subject is refused: run it first', () => {
    const p = makeProject();
    const r = runCli(['approve', 'DEPLOY-PROD-001', '--project', 'shop', '--by', 'ana'], { cwd: p.ws });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('run it first');
  });

  it('status --json shows the subject of a waiting task; approve signs that subject, not what is there when approving', () => {
    const p = makeProject();
    expect(runCli(['--project', 'shop'], { cwd: p.ws }).code).toBe(3);
    const status = JSON.parse(runCli(['status', '--project', 'shop', '--json'], { cwd: p.ws }).stdout);
    const task = status.tasks[0];
    expect(task.subject.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(task.subject.project.path).toBe(path.join(p.ws, 'repo', 'app'));
    // an edit between the gate and the approval: the approval is for what the gate showed
    appendFileSync(path.join(p.app, 'deploy.mjs'), '// later\n');
    const ok = runCli(['approve', 'DEPLOY-PROD-001', '--project', 'shop', '--by', 'ana'], { cwd: p.ws });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(task.subject.fingerprint);
    expectAskedAgain(p, "the project's files");
  });
});

describe('the environment project commands get', () => {
  it('nothing of the invoking shell but the base, env_passthrough and env: reaches a deploy command', () => {
    const ws = makeWorkspace();
    const app = path.join(ws, 'app');
    mkdirSync(app, { recursive: true });
    writeFileSync(path.join(app, 'deploy.mjs'), "import { writeFileSync } from 'node:fs';\nwriteFileSync('seen.json', JSON.stringify(process.env));\n");
    mkdirSync(path.join(ws, 'governance', 'projects'), { recursive: true });
    writeFileSync(
      path.join(ws, 'governance', 'projects', 'shop.yaml'),
      ['version: 1', 'path: app', 'env_passthrough: [PASSED_ON]', 'environments:', '  development:', '    env:', '      MODE: "blue"', '    commands:', '      deploy: ["${NODE}", "deploy.mjs"]', ''].join('\n'),
    );
    writeQueue(ws, 'shop', { features: [{ id: 'DEV', agent_type: 'deployment', environment: 'development', version: '1.0.0' }] });
    const r = runCli(['--project', 'shop'], { cwd: ws, env: { SECRET_OF_THE_SHELL: 'x', PASSED_ON: 'y', LC_TIME: 'C' } });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const seen = readJson(path.join(app, 'seen.json'));
    expect(seen.SECRET_OF_THE_SHELL).toBeUndefined();
    expect(seen.CI).toBeUndefined();
    expect(seen).toMatchObject({ PASSED_ON: 'y', MODE: 'blue', LC_TIME: 'C', VERSION: '1.0.0', ENVIRONMENT: 'development', PATH: process.env.PATH });
  });
});

describe("the project at the workspace's root (path: ., as init writes it)", () => {
  // The loop's own files (.aibrain/, the queue file) change with every run and decision: an approval
  // bound to them never held. What runs — every other file of the folder — still counts.
  for (const withGit of [false, true]) {
    it(`an approval holds across the run's own changes, and an edit of a file there still asks again (${withGit ? 'a git repository with the queue committed' : 'no git'})`, () => {
      const ws = makeWorkspace();
      expect(runCli(['init', '--project', 'shop'], { cwd: ws }).code).toBe(0);
      writeFileSync(path.join(ws, 'deploy.sh'), 'echo deployed\n');
      const queue = path.join(ws, 'tasks', 'work_queue_shop.json');
      writeFileSync(queue, JSON.stringify({ project: 'shop', features: [{ id: 'DEPLOY-PROD-001', agent_type: 'noop', environment: 'production', version: '1.0.0' }] }, null, 2) + '\n');
      if (withGit) {
        git(ws, 'init', '-q');
        git(ws, 'add', '-A');
        git(ws, 'commit', '-qm', 'the project and its queue');
      }
      expect(runCli(['--project', 'shop', '--non-interactive'], { cwd: ws }).code).toBe(3);
      expect(runCli(['approve', 'DEPLOY-PROD-001', '--project', 'shop', '--by', 'ana', '--yes'], { cwd: ws }).code).toBe(0);
      // An edit of a file in the folder after approving: asked again.
      appendFileSync(path.join(ws, 'deploy.sh'), 'echo changed\n');
      const again = runCli(['--project', 'shop', '--non-interactive'], { cwd: ws });
      expect({ code: again.code, said: /changed/i.test(again.stdout + again.stderr) }).toEqual({ code: 3, said: true });
      expect(statuses(queue)).not.toContain('complete');
      // Approved again: the run's own writes (state, records, the queue's statuses) do not undo it.
      expect(runCli(['approve', 'DEPLOY-PROD-001', '--project', 'shop', '--by', 'ana', '--yes'], { cwd: ws }).code).toBe(0);
      const run = runCli(['--project', 'shop', '--non-interactive'], { cwd: ws });
      expect({ code: run.code, err: run.stderr }).toEqual({ code: 0, err: '' });
      expect(statuses(queue)).toEqual(['complete']);
      expect(decisions(ws).filter((d) => d.decision === 'approve')).toHaveLength(2);
    });
  }
});
