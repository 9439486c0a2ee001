// npm run demo:reset: stops the demo's services and forgets its runs, so `npm run demo` starts over.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';

execFileSync(process.execPath, ['examples/demo-app/scripts/stop.mjs', '--all'], { stdio: 'inherit' });
for (const f of ['envs', 'state.db', 'state.db-wal', 'state.db-shm', 'deployments.json', '.deployments.json.journal', 'decisions.jsonl', 'logs', 'reviews']) {
  rmSync(`.aibrain/${f}`, { recursive: true, force: true });
}
execFileSync('git', ['checkout', '--', 'tasks/work_queue_demo.json', 'tasks/work_queue_demo_broken.json'], { stdio: 'inherit' });
console.log('demo reset: services stopped, .aibrain runtime files removed, demo queues back to pending');
