// npm run demo / demo:broken: runs a demo queue in its own workspace, demo-workspace/ (made from the
// shipped files in examples/demo/ on first run, ignored by git), so the clone stays as it was.
// Usage: node scripts/demo.mjs <project> [more run options]
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// AUTONOMOUS_LOOP_DEMO_ROOT puts it elsewhere (the tests do, to leave a person's demo alone).
export const demoRoot = path.resolve(process.env.AUTONOMOUS_LOOP_DEMO_ROOT ?? path.join(repo, 'demo-workspace'));

export function makeDemoWorkspace() {
  if (existsSync(path.join(demoRoot, 'tasks'))) return false;
  cpSync(path.join(repo, 'examples', 'demo'), demoRoot, { recursive: true });
  // The shipped project files name the app relative to demo-workspace/; elsewhere, point at it.
  for (const [name, app] of [['demo.yaml', 'demo-app'], ['demo_broken.yaml', 'demo-app'], ['karematch.yaml', 'demo-infra']]) {
    const file = path.join(demoRoot, 'governance', 'projects', name);
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^path: .*$/m, `path: ${JSON.stringify(path.join(repo, 'examples', app))}`));
  }
  // The provisioning demo's budget: the shipped contract with a monthly budget for karematch.
  const contract = readFileSync(path.join(repo, 'governance', 'contracts', 'operator-team.yaml'), 'utf8');
  mkdirSync(path.join(demoRoot, 'governance', 'contracts'), { recursive: true });
  writeFileSync(path.join(demoRoot, 'governance', 'contracts', 'operator-team.yaml'), contract.replace(/^  projects: \{\}$/m, '  projects:\n    karematch:\n      monthly_budget_usd: 500'));
  // The provisioning demo documents what it provisions in a git repository of its own.
  const infrastructure = path.join(demoRoot, 'infrastructure');
  mkdirSync(infrastructure, { recursive: true });
  writeFileSync(path.join(infrastructure, 'README.md'), '# Infrastructure documents\nOne document per provisioned resource, committed by autonomous-loop.\n');
  for (const args of [['init', '-q', '-b', 'main'], ['add', 'README.md'], ['-c', 'user.name=demo', '-c', 'user.email=demo@localhost', 'commit', '-q', '-m', 'infrastructure documents']]) spawnSync('git', args, { cwd: infrastructure });
  mkdirSync(path.join(demoRoot, '.aibrain'), { recursive: true });
  writeFileSync(path.join(demoRoot, 'README.md'), '# The demo workspace\nMade by `npm run demo` from examples/demo/; `npm run demo:reset` makes it anew. Ignored by git.\n');
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [project = 'demo', ...rest] = process.argv.slice(2);
  if (makeDemoWorkspace()) console.log(`demo workspace made: ${path.relative(process.cwd(), demoRoot) || '.'}/ (from examples/demo/)`);
  const child = spawn(process.execPath, [path.join(repo, 'dist', 'src', 'cli', 'main.js'), '--project', project, '--root', demoRoot, ...rest], {
    stdio: 'inherit',
  });
  // Ctrl-C reaches the loop too (same terminal): let it save its state and report, then pass its code on.
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => {});
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? (signal === 'SIGINT' ? 130 : 1);
  });
}
