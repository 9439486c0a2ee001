import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gitleaksShapes, issueShapes } from '../log/secret-shapes.js';
import { listFiles, makeWorkspace, removeWorkspaces, runCli } from '../helpers/workspace.js';

// Issue 19: the 10 shapes (and an AWS secret beside its key id) and 25 shapes of gitleaks' public
// rule set, printed by a real run's agents — whole, split across writes, on stderr, as a BLOCKED
// reason, as a failure, by a failing deployment, to a notifier. Afterwards every file under
// .aibrain/, the notifier's payload and the captured terminal are searched: none may be found.

afterAll(() => removeWorkspaces());

const TOKEN = `rel-${Math.random().toString(36).slice(2)}Zq81Lm`;
const SHAPES = [...issueShapes(TOKEN), ...gitleaksShapes()];
const NEEDLES = [TOKEN, ...SHAPES.flatMap((s) => s.secrets)];

const AGENT = `
const fs = require('fs');
const lines = JSON.parse(fs.readFileSync(process.env.SHAPES_FILE, 'utf8'));
for (const l of lines) console.log('output: ' + l);
for (const l of lines) console.error('stderr: ' + l);
const first = lines[1];
process.stdout.write('split ' + first.slice(0, 9));
setTimeout(() => {
  process.stdout.write(first.slice(9) + ' done\\n');
  const mode = process.argv[2];
  if (mode === 'pass') console.log('<promise>' + process.env.AUTONOMOUS_LOOP_PROMISE + '</promise>');
  if (mode === 'blocked') console.log('<verdict>BLOCKED: found ' + lines[2] + ' in the diff</verdict>');
  if (mode === 'fail') { console.error('fatal: ' + lines[3]); process.exit(1); }
}, 50);
`;

describe('35 secret shapes through a real run', () => {
  it('are found nowhere afterwards', () => {
    const ws = makeWorkspace();
    const shapesFile = path.join(ws, '..', `shapes-${path.basename(ws)}.json`);
    writeFileSync(shapesFile, JSON.stringify(SHAPES.map((s) => s.line)));
    const agent = path.join(ws, 'agent.cjs');
    writeFileSync(agent, AGENT);
    const notified = path.join(ws, 'notified.txt');
    const notifier = path.join(ws, 'notify.cjs');
    writeFileSync(notifier, `const fs = require('fs'); fs.appendFileSync(${JSON.stringify(notified)}, process.env.AUTONOMOUS_LOOP_REASON + '\\n' + fs.readFileSync(0, 'utf8'));\n`);
    mkdirSync(path.join(ws, 'governance', 'contracts'), { recursive: true });
    writeFileSync(
      path.join(ws, 'governance', 'contracts', 'operator-team.yaml'),
      `version: 1\nenvironments:\n  development: { auto_deploy: true, auto_rollback: true, approval: never }\n  staging: { auto_deploy: true, auto_rollback: true, approval: first-time }\n  production: { auto_deploy: false, auto_rollback: false, approval: always }\nnotify: [${JSON.stringify(process.execPath)}, ${JSON.stringify(notifier)}]\n`,
    );
    const task = (id: string, mode: string): Record<string, unknown> => ({ id, description: `task ${id}`, agent_type: 'command', command: [process.execPath, agent, mode], max_iterations: 1 });
    writeFileSync(
      path.join(ws, 'tasks', 'work_queue_p.json'),
      `${JSON.stringify({ project: 'p', features: [task('S-PASS', 'pass'), task('S-FAIL', 'fail'), task('S-BLOCKED', 'blocked'), { id: 'S-DEPLOY', agent_type: 'deployment', environment: 'dev', version: '1.0.1', max_iterations: 1 }] }, null, 2)}\n`,
    );
    mkdirSync(path.join(ws, 'governance', 'projects'), { recursive: true });
    const deploy = `const fs = require('fs'); const lines = JSON.parse(fs.readFileSync(process.env.SHAPES_FILE, 'utf8')); for (const l of lines) console.log(l); console.error('deploy failed: ' + lines[5]); process.exit(1);`;
    writeFileSync(
      path.join(ws, 'governance', 'projects', 'p.yaml'),
      ['version: 1', 'path: .', 'env_passthrough: [SHAPES_FILE, RELEASE_TOKEN]', 'environments:', '  development:', '    commands:', `      deploy: [${JSON.stringify(process.execPath)}, "-e", ${JSON.stringify(deploy)}]`, ''].join('\n'),
    );
    const env = { SHAPES_FILE: shapesFile, RELEASE_TOKEN: TOKEN };
    const run = runCli(['--project', 'p', '--non-interactive'], { cwd: ws, env });
    expect(run.code, run.stderr).toBe(1);
    const reads = [['status', '--project', 'p'], ['status', '--project', 'p', '--json'], ['history', '--project', 'p'], ['logs', 'S-PASS', '--project', 'p'], ['logs', 'S-BLOCKED', '--project', 'p']].map((args) =>
      runCli(args, { cwd: ws, env }),
    );

    // The run went where it should: the agents printed, the records and the notifier were written.
    const aibrain = path.join(ws, '.aibrain');
    expect(readFileSync(path.join(aibrain, 'deployments.json'), 'utf8')).toContain('[REDACTED]');
    expect(readFileSync(notified, 'utf8')).toContain('[REDACTED]');
    expect(reads[3]!.stdout).toContain('[REDACTED]');
    expect(run.stdout).toContain('output: ');

    const files = [...listFiles(aibrain), notified];
    const leaks = files.flatMap((file) => {
      const bytes = readFileSync(file);
      return NEEDLES.filter((needle) => bytes.includes(needle)).map((needle) => `${path.relative(ws, file)} holds ${needle}`);
    });
    const terminal = [run, ...reads].map((r) => r.stdout + r.stderr).join('\n');
    const shown = NEEDLES.filter((needle) => terminal.includes(needle)).map((needle) => `terminal shows ${needle}`);
    console.log(`secret shapes: ${SHAPES.length} shapes, ${NEEDLES.length} values, ${files.length} files searched; found ${leaks.length} in files, ${shown.length} on the terminal`);
    expect([...leaks, ...shown]).toEqual([]);
  });
});
