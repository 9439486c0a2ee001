import { findMarkedProcesses } from './marked-processes.js';

// The watchdog process (see process-watchdog.ts): reads `+pgid marker` / `-pgid` lines from the
// loop on stdin; when stdin ends, the loop is gone: every group still listed, and every process
// carrying a listed group's marker (a setsid child), gets SIGTERM, then SIGKILL.
const groups = new Map<number, string | undefined>();
let partial = '';

process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  const text = partial + chunk;
  const lines = text.split('\n');
  partial = lines.pop() ?? '';
  for (const line of lines) {
    const [id, marker] = line.slice(1).split(' ');
    const pgid = Number(id);
    if (!Number.isInteger(pgid) || pgid <= 1) continue;
    if (line.startsWith('+')) groups.set(pgid, marker);
    else if (line.startsWith('-')) groups.delete(pgid);
  }
});
process.stdin.on('end', () => {
  if (groups.size === 0) process.exit(0);
  const marked = (): number[] => [...groups.values()].flatMap((m) => (m ? findMarkedProcesses(m) : []));
  for (const pgid of groups.keys()) signal(-pgid, 'SIGTERM');
  for (const pid of marked()) signal(pid, 'SIGTERM');
  setTimeout(() => {
    for (const pgid of groups.keys()) signal(-pgid, 'SIGKILL');
    for (const pid of marked()) signal(pid, 'SIGKILL');
    process.exit(0);
  }, 1_500);
});
process.on('SIGINT', () => {}); // a Ctrl-C at the terminal is the loop's to handle, not ours

function signal(target: number, sig: NodeJS.Signals): void {
  try {
    process.kill(target, sig);
  } catch {
    // the group is gone
  }
}
