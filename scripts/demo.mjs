// npm run demo / demo:broken: runs a demo queue in its own workspace, demo-workspace/ (made from the
// shipped files in examples/demo/ on first run, ignored by git), so the clone stays as it was.
// Usage: node scripts/demo.mjs <project> [more run options]
import { spawn } from 'node:child_process';
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
  for (const name of ['demo.yaml', 'demo_broken.yaml']) {
    const file = path.join(demoRoot, 'governance', 'projects', name);
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^path: .*$/m, `path: ${JSON.stringify(path.join(repo, 'examples', 'demo-app'))}`));
  }
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
