// The watchdog process (see process-watchdog.ts): reads `+pgid` / `-pgid` lines from the loop on
// stdin; when stdin ends, the loop is gone: every group still listed gets SIGTERM, then SIGKILL.
const groups = new Set<number>();
let partial = '';

process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  const text = partial + chunk;
  const lines = text.split('\n');
  partial = lines.pop() ?? '';
  for (const line of lines) {
    const pgid = Number(line.slice(1));
    if (!Number.isInteger(pgid) || pgid <= 1) continue;
    if (line.startsWith('+')) groups.add(pgid);
    else if (line.startsWith('-')) groups.delete(pgid);
  }
});
process.stdin.on('end', () => {
  if (groups.size === 0) process.exit(0);
  for (const pgid of groups) signal(pgid, 'SIGTERM');
  setTimeout(() => {
    for (const pgid of groups) signal(pgid, 'SIGKILL');
    process.exit(0);
  }, 1_500);
});
process.on('SIGINT', () => {}); // a Ctrl-C at the terminal is the loop's to handle, not ours

function signal(pgid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pgid, sig);
  } catch {
    // the group is gone
  }
}
