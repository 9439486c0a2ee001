import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectJsonSchema } from '../../src/agents/deploy/project-config-schema.js';
import { runEventsJsonSchema } from '../../src/cli/view/run-events-schema.js';
import { contractJsonSchema } from '../../src/gates/contract.js';
import { queueJsonSchema } from '../../src/queue/queue-json-schema.js';
import { installFakeClis } from '../agents/coding/fake-clis.js';
import { cliPath, makeWorkspace, removeWorkspaces, repoRoot, runCli } from '../helpers/workspace.js';
import { onPostgres } from '../helpers/test-store.js';

afterAll(removeWorkspaces);

/** The README's fenced blocks under a heading, up to the next heading of that level. */
function readmeBlocks(heading: string, lang: string): string[] {
  const text = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const start = text.indexOf(`\n${heading}\n`);
  const level = heading.split(' ')[0] ?? '##';
  const end = text.indexOf(`\n${level} `, start + heading.length + 2);
  const section = text.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, 'g'))].map((m) => m[1] ?? '');
}

/** A command line as a shell would split it (quotes, no expansion): the README's lines have no more. */
function splitWords(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? '');
}

describe("the README's Usage section, run as written (doc test)", () => {
  it('every line of the sh block runs in order in a fresh folder, with the exit code it states', () => {
    const ws = makeWorkspace();
    // The example's first task runs the claude preset: a stand-in Claude Code on PATH.
    const fakes = installFakeClis(ws, ['claude']);
    const blocks = readmeBlocks('## Usage', 'sh');
    expect(blocks.length).toBeGreaterThan(0);
    let ran = 0;
    for (const block of blocks) {
      for (const raw of block.split('\n')) {
        const [command = '', comment = ''] = raw.split(/\s+#\s/);
        if (!command.trim()) continue;
        const words = splitWords(command.trim());
        expect(words.slice(0, 2)).toEqual(['npx', 'autonomous-loop']);
        const expected = Number(/\(exit (\d+)\)/.exec(comment)?.[1] ?? 0);
        const r = runCli(words.slice(2), { cwd: ws, env: fakes.env('promise-on-2') });
        expect({ line: raw, code: r.code, out: r.code === expected ? '' : r.stdout + r.stderr }).toEqual({ line: raw, code: expected, out: '' });
        ran++;
      }
    }
    expect(ran).toBeGreaterThanOrEqual(6);
    const status = runCli(['status', '--json'], { cwd: ws });
    expect(JSON.parse(status.stdout).tasks.map((t: { status: string }) => t.status)).toEqual(['complete', 'complete']);
  });

  it("'Usage outside the clone': npm link as written puts the CLI on PATH, and Usage's lines run as written in a folder outside the clone", () => {
    // npm's global folder is a throwaway one (npm_config_prefix): the machine's own is never touched.
    const prefix = makeWorkspace();
    const npmEnv = { ...process.env, npm_config_prefix: prefix, npm_config_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false' } as Record<string, string>;
    delete npmEnv.CI;
    const [linkBlock] = readmeBlocks('## Usage outside the clone', 'sh');
    const lines = (linkBlock ?? '').split('\n').map((l) => l.split(/\s+#\s/)[0]?.trim() ?? '').filter(Boolean);
    expect(lines).toEqual(['npm link']);
    // `npm ci` built dist/ already (its prepare script): the link is made without building again.
    const link = spawnSync('npm', [...splitWords(lines[0] ?? '').slice(1), '--ignore-scripts'], { cwd: repoRoot, env: npmEnv, encoding: 'utf8', timeout: 120_000 });
    expect({ code: link.status, err: link.status === 0 ? '' : link.stderr }).toEqual({ code: 0, err: '' });
    const bin = path.join(prefix, 'bin');
    expect(existsSync(path.join(bin, 'autonomous-loop'))).toBe(true);
    const ws = makeWorkspace(); // under the system's temp folder: outside the clone
    expect(path.relative(repoRoot, ws).startsWith('..')).toBe(true);
    const fakes = installFakeClis(ws, ['claude']);
    const env = { ...npmEnv, ...fakes.env('promise-on-2') };
    env.PATH = `${bin}${path.delimiter}${env.PATH ?? ''}`;
    const onPath = spawnSync('autonomous-loop', ['--version'], { cwd: ws, env, encoding: 'utf8' });
    expect(onPath.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    let ran = 0;
    for (const block of readmeBlocks('## Usage', 'sh')) {
      for (const raw of block.split('\n')) {
        const [command = '', comment = ''] = raw.split(/\s+#\s/);
        if (!command.trim()) continue;
        const words = splitWords(command.trim());
        const expected = Number(/\(exit (\d+)\)/.exec(comment)?.[1] ?? 0);
        // As written (npx, offline: it may only find the linked clone), in a folder outside the clone.
        const r = spawnSync(words[0] ?? '', words.slice(1), { cwd: ws, env, encoding: 'utf8', timeout: 120_000 });
        expect({ line: raw, code: r.status, out: r.status === expected ? '' : r.stdout + r.stderr }).toEqual({ line: raw, code: expected, out: '' });
        ran++;
      }
    }
    expect(ran).toBeGreaterThanOrEqual(6);
    const status = spawnSync('autonomous-loop', ['status', '--json'], { cwd: ws, env, encoding: 'utf8' });
    expect(JSON.parse(status.stdout).tasks.map((t: { status: string }) => t.status)).toEqual(['complete', 'complete']);
  }, 300_000);

  it("the queue example of 'The queue' validates in a workspace made by init", () => {
    const ws = makeWorkspace();
    expect(runCli(['init', '--project', 'shop'], { cwd: ws }).code).toBe(0);
    const [queue] = readmeBlocks('### The queue', 'json');
    writeFileSync(path.join(ws, 'tasks', 'work_queue_shop.json'), queue ?? '');
    mkdirSync(path.join(ws, 'migrations'));
    const r = runCli(['validate', '--project', 'shop'], { cwd: ws });
    // The example's coding CLI (claude) need not be installed here: validate only warns of it.
    expect(r.stderr.replace(/^warning: .* is not on PATH\n/gm, '')).toBe('');
    expect(r.code).toBe(0);
    expect(runCli(['plan', '--json'], { cwd: ws }).code).toBe(0);
  });
});

describe('init', () => {
  it('writes the queue example, a commented project file, the contract and the three schemas; never overwrites', () => {
    const ws = makeWorkspace();
    const r = runCli(['init', '--project', 'shop', '--json'], { cwd: ws });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { created: string[] };
    for (const f of ['tasks/work_queue_shop.json', 'tasks/work-queue.schema.json', 'governance/projects/shop.yaml', 'governance/contracts/operator-team.yaml', 'governance/schema/project.schema.json', 'governance/schema/contract.schema.json']) {
      expect(out.created).toContain(f);
    }
    const yaml = readFileSync(path.join(ws, 'governance', 'projects', 'shop.yaml'), 'utf8');
    expect(yaml).toMatch(/^# yaml-language-server: \$schema=\.\.\/schema\/project\.schema\.json/);
    expect(yaml).toMatch(/^version: 1 +# required/m);
    expect(yaml).toMatch(/^path: \. +# required/m);
    writeFileSync(path.join(ws, 'tasks', 'work_queue_shop.json'), '{"project":"shop","features":[]}');
    expect(JSON.parse(runCli(['init', '--project', 'shop', '--json'], { cwd: ws }).stdout).created).toEqual([]);
    expect(readFileSync(path.join(ws, 'tasks', 'work_queue_shop.json'), 'utf8')).toBe('{"project":"shop","features":[]}');
  });

  it('the project file and the contract take dev/stage/prod for the environment names', () => {
    const ws = makeWorkspace();
    runCli(['init', '--project', 'shop'], { cwd: ws });
    const file = path.join(ws, 'governance', 'projects', 'shop.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('  development:\n', '  dev:\n').replace('  production:\n', '  prod:\n'));
    const contract = path.join(ws, 'governance', 'contracts', 'operator-team.yaml');
    writeFileSync(contract, readFileSync(contract, 'utf8').replace('  staging:\n    auto_deploy', '  stage:\n    auto_deploy'));
    writeFileSync(path.join(ws, 'tasks', 'work_queue_shop.json'), JSON.stringify({ project: 'shop', features: [{ id: 'D', agent_type: 'deployment', environment: 'dev', version: '1.0.0', completion_promise: 'X' }] }));
    const r = runCli(['validate', '--project', 'shop'], { cwd: ws });
    // The example's coding CLI (claude) need not be installed here: validate only warns of it.
    expect(r.stderr.replace(/^warning: .* is not on PATH\n/gm, '')).toBe('');
    expect(r.code).toBe(0);
    writeFileSync(file, readFileSync(file, 'utf8').replace('  staging:\n', '  development:\n'));
    const twice = runCli(['validate', '--project', 'shop'], { cwd: ws });
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('development is given twice');
  });

  it('the committed JSON Schemas are the ones the loaders define (npm run schema writes them)', () => {
    const read = (name: string): unknown => JSON.parse(readFileSync(path.join(repoRoot, 'schema', name), 'utf8'));
    expect(read('work-queue.schema.json')).toEqual(queueJsonSchema());
    expect(read('project.schema.json')).toEqual(projectJsonSchema());
    expect(read('contract.schema.json')).toEqual(contractJsonSchema());
    expect(read('run-events.schema.json')).toEqual(runEventsJsonSchema());
  });
});

describe('habits', () => {
  const ws = (): string => {
    const dir = makeWorkspace();
    runCli(['init', '--project', 'shop'], { cwd: dir });
    return dir;
  };

  it('a mistyped option or command gets a did-you-mean, the prefix and what to try; exit 2', () => {
    const dir = ws();
    const opt = runCli(['--projet', 'karematch'], { cwd: dir });
    expect(opt.code).toBe(2);
    expect(opt.stderr).toMatch(/^autonomous-loop: unknown option '--projet'\n\(Did you mean --project\?\)\nsee 'autonomous-loop --help'\n$/);
    const cmd = runCli(['statsu'], { cwd: dir });
    expect(cmd.code).toBe(2);
    expect(cmd.stderr).toBe("autonomous-loop: unknown command 'statsu' (did you mean 'status'?)\nsee 'autonomous-loop --help'\n");
    const sub = runCli(['status', '--jsno'], { cwd: dir });
    expect(sub.stderr).toContain('(Did you mean --json?)');
    expect(sub.stderr).toContain("see 'autonomous-loop status --help'");
  });

  it('bare invocation prints help with examples and exits 2; --help exits 0; -v, -V, --version and version print the version', () => {
    const bare = runCli([], { cwd: makeWorkspace() });
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('Examples:');
    expect(bare.stderr).toContain('Exit codes:');
    expect(bare.stderr).toMatch(/autonomous-loop: which project\?/);
    const version = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).version as string;
    for (const flag of ['-v', '-V', '--version', 'version']) expect(runCli([flag], { cwd: repoRoot }).stdout).toBe(`${version}\n`);
    for (const command of ['status', 'approve', 'rollback', 'scan', 'init']) {
      const help = runCli([command, '--help'], { cwd: repoRoot });
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/Examples:\n {2}\$ autonomous-loop .+\n {2}\$ autonomous-loop /);
      expect(help.stdout).toContain('3 waiting for approval');
    }
  });

  it('finds the workspace from a subfolder, as git does; --project may be left out with one queue', () => {
    const dir = ws();
    const sub = path.join(dir, 'tasks', 'deeper');
    mkdirSync(sub);
    const r = runCli(['plan'], { cwd: sub });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('HELLO-001');
    writeFileSync(path.join(dir, 'tasks', 'work_queue_other.json'), '{"project":"other","features":[]}');
    const two = runCli(['plan'], { cwd: sub });
    expect(two.code).toBe(2);
    expect(two.stderr).toContain('--project <project> is required');
    expect(two.stderr).toContain('other, shop');
  });

  it('--queue runs a queue kept elsewhere (tasks/queues-active/); a missing queue lists the ones there are', () => {
    const dir = ws();
    mkdirSync(path.join(dir, 'tasks', 'queues-active'));
    writeFileSync(
      path.join(dir, 'tasks', 'queues-active', 'work_queue_karematch.json'),
      JSON.stringify({ project: 'karematch', features: [{ id: 'A', agent_type: 'noop', completion_promise: 'DONE' }] }),
    );
    const missing = runCli(['--project', 'karematch'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('tasks/work_queue_karematch.json: no such queue file');
    expect(missing.stderr).toContain('tasks/queues-active/work_queue_karematch.json  ->  --queue tasks/queues-active/work_queue_karematch.json');
    const run = runCli(['--queue', 'tasks/queues-active/work_queue_karematch.json'], { cwd: dir });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(readFileSync(path.join(dir, 'tasks', 'queues-active', 'work_queue_karematch.json'), 'utf8')).features[0].status).toBe('complete');
    const status = runCli(['status', '--queue', 'tasks/queues-active/work_queue_karematch.json', '--json'], { cwd: dir });
    expect(JSON.parse(status.stdout).tasks[0]).toMatchObject({ id: 'A', status: 'complete' });
    expect(existsSync(path.join(dir, '.aibrain', 'state.db'))).toBe(!onPostgres()); // the store: the file, or the database
  });
});

describe('--json everywhere', () => {
  it('run --json is one JSON event a line, ending with run:summary; approve and errors answer in JSON', () => {
    const dir = makeWorkspace();
    runCli(['init', '--project', 'shop'], { cwd: dir });
    // The example's first task runs the claude preset: a stand-in Claude Code on PATH.
    const fakes = installFakeClis(dir, ['claude']);
    const run = runCli(['--json'], { cwd: dir, env: fakes.env('promise-on-2') });
    expect(run.code, run.stdout + run.stderr).toBe(3);
    const events = run.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { event: string; time: string; exit_code?: number });
    expect(events[0]?.event).toBe('run:start');
    expect(events.map((e) => e.event)).toEqual(expect.arrayContaining(['task:start', 'iteration:start', 'iteration:output', 'iteration:end', 'task:end', 'task:waiting']));
    expect(events.at(-1)).toMatchObject({ event: 'run:summary', exit_code: 3 });
    for (const e of events) expect(Number.isNaN(Date.parse(e.time))).toBe(false);
    const approve = runCli(['approve', 'REVIEW-001', '--by', 'ana', '--json'], { cwd: dir });
    expect(approve.code).toBe(0);
    expect(JSON.parse(approve.stdout)).toMatchObject({ decision: 'approve', task_id: 'REVIEW-001', by: 'ana' });
    const bad = runCli(['approve', 'NOPE', '--by', 'ana', '--json'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('');
    expect(JSON.parse(bad.stdout).error).toMatchObject({ exit_code: 2, message: expect.stringContaining("no task 'NOPE'") });
    const typo = runCli(['status', '--jsno', '--json'], { cwd: dir });
    expect(JSON.parse(typo.stdout).error.code).toBe('commander.unknownOption');
  });
});

describe('shell completion', () => {
  it('the bash script, sourced in bash, completes commands, options, projects and task ids', () => {
    const dir = makeWorkspace();
    runCli(['init', '--project', 'shop'], { cwd: dir });
    const bin = path.join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(path.join(bin, 'autonomous-loop'), `#!/bin/sh\nexec "${process.execPath}" "${cliPath}" "$@"\n`);
    chmodSync(path.join(bin, 'autonomous-loop'), 0o755);
    const complete = (words: string[]): string => {
      const script = `source <(autonomous-loop completion bash)\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')})\nCOMP_CWORD=${words.length - 1}\n_autonomous_loop\nprintf '%s\\n' "\${COMPREPLY[@]}"`;
      const r = spawnSync('bash', ['-c', script], { cwd: dir, encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
      expect(r.stderr).toBe('');
      return r.stdout.trim();
    };
    expect(complete(['autonomous-loop', 'sta'])).toBe('status');
    expect(complete(['autonomous-loop', 'status', '--pro']).split('\n')).toContain('--project');
    expect(complete(['autonomous-loop', 'status', '--project', ''])).toBe('shop');
    expect(complete(['autonomous-loop', 'approve', '']).split('\n')).toEqual(['HELLO-001', 'REVIEW-001']);
    expect(complete(['autonomous-loop', 'rollback', '--env', 'pr'])).toBe('production');
    for (const shell of ['zsh', 'fish']) expect(runCli(['completion', shell], { cwd: dir }).stdout).toContain('__complete');
  });
});

describe('the demo lives in its own workspace', () => {
  it('status --root with a relative path and two queues lists them (not "no queue")', () => {
    const ws = makeWorkspace();
    const root = path.join(ws, 'demo-workspace');
    mkdirSync(path.join(root, 'tasks'), { recursive: true });
    for (const p of ['demo', 'demo_broken']) writeFileSync(path.join(root, 'tasks', `work_queue_${p}.json`), JSON.stringify({ project: p, features: [{ id: 'A', agent_type: 'noop' }] }));
    const r = spawnSync(process.execPath, [cliPath, 'status', '--root', 'demo-workspace'], { cwd: ws, encoding: 'utf8' });
    expect(r.stderr).not.toContain('no queue');
    expect(r.stderr).toContain('queues in demo-workspace/tasks/: demo, demo_broken');
  });

  it('npm run demo leaves the clone as it was; demo:reset removes only the demo workspace', () => {
    const demoRoot = path.join(makeWorkspace(), 'demo-ws');
    const env = { ...process.env, AUTONOMOUS_LOOP_DEMO_ROOT: demoRoot, CI: '1' };
    const tracked = (): string => spawnSync('git', ['status', '--porcelain', '--', 'examples', 'tasks', 'governance', 'schema'], { cwd: repoRoot, encoding: 'utf8' }).stdout;
    const before = tracked();
    const run = spawnSync(process.execPath, ['scripts/demo.mjs', 'demo', '--non-interactive'], { cwd: repoRoot, env, encoding: 'utf8', timeout: 120_000 });
    try {
      expect(run.stdout).toContain('DEPLOY-DEV-001 complete');
      expect(run.status).toBe(3); // staging's first deployment waits for a person
      expect(run.stdout).toContain(`--root ${demoRoot}`);
      // It says where its workspace is and how to point status/history at it.
      expect(run.stdout).toContain(`the demo's workspace: ${demoRoot}/`);
      expect(run.stdout).toContain(`autonomous-loop status --root ${demoRoot} --project demo`);
      expect(run.stdout).toContain(`autonomous-loop history --root ${demoRoot} --project demo`);
      const status = spawnSync(process.execPath, [cliPath, 'status', '--root', demoRoot, '--project', 'demo'], { cwd: repoRoot, env, encoding: 'utf8' });
      expect(status.stdout).toContain('DEPLOY-DEV-001');
      expect(JSON.parse(readFileSync(path.join(demoRoot, 'tasks', 'work_queue_demo.json'), 'utf8')).features[0].status).toBe('complete');
      expect(tracked()).toBe(before);
      expect(JSON.parse(readFileSync(path.join(repoRoot, 'examples', 'demo', 'tasks', 'work_queue_demo.json'), 'utf8')).features.every((t: { status: string }) => t.status === 'pending')).toBe(true);
    } finally {
      const reset = spawnSync(process.execPath, ['scripts/demo-reset.mjs'], { cwd: repoRoot, env, encoding: 'utf8' });
      expect(reset.status).toBe(0);
    }
    expect(existsSync(path.join(demoRoot, '.aibrain', 'state.db'))).toBe(false);
    expect(JSON.parse(readFileSync(path.join(demoRoot, 'tasks', 'work_queue_demo.json'), 'utf8')).features[0].status).toBe('pending');
  });
});
