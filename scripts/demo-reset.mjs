// npm run demo:reset: stops the demo's services and removes the demo workspace (demo-workspace/),
// so the next `npm run demo` starts over from the shipped files. Nothing else is touched.
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { demoRoot, makeDemoWorkspace } from './demo.mjs';

if (existsSync(demoRoot)) {
  execFileSync(process.execPath, [path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'examples', 'demo-app', 'scripts', 'stop.mjs'), '--all'], { stdio: 'inherit', cwd: demoRoot });
  rmSync(demoRoot, { recursive: true, force: true });
}
makeDemoWorkspace();
console.log('demo reset: services stopped, demo-workspace/ made anew from examples/demo/');
