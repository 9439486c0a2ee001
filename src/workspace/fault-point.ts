import { appendFileSync } from 'node:fs';

// Fault injection for the crash tests: AUTONOMOUS_LOOP_CRASH_AT=<point>#<n> kills this process
// (SIGKILL, as a power cut would) the n-th time it passes <point>; AUTONOMOUS_LOOP_CRASH_TRACE=<file>
// lists every point passed. Without either variable a point costs one property read.
const crashAt = process.env.AUTONOMOUS_LOOP_CRASH_AT;
const trace = process.env.AUTONOMOUS_LOOP_CRASH_TRACE;
const enabled = Boolean(crashAt || trace);
const counts = new Map<string, number>();

export function faultPoint(name: string): void {
  if (!enabled) return;
  const n = (counts.get(name) ?? 0) + 1;
  counts.set(name, n);
  const id = `${name}#${n}`;
  if (trace) appendFileSync(trace, `${id}\n`);
  if (crashAt === id) process.kill(process.pid, 'SIGKILL');
}

// A pause for the race tests: AUTONOMOUS_LOOP_PAUSE_AT=<point>:<ms> holds this process <ms> the
// first time it passes <point> (a push between reading the queue's revision and swapping it), and
// writes `<point>:paused` into AUTONOMOUS_LOOP_CRASH_TRACE's file when it starts to wait.
const pauseAt = process.env.AUTONOMOUS_LOOP_PAUSE_AT;
const paused = new Set<string>();

export async function faultPause(name: string): Promise<void> {
  if (!pauseAt) return;
  const cut = pauseAt.lastIndexOf(':');
  const point = pauseAt.slice(0, cut);
  const ms = pauseAt.slice(cut + 1);
  if (point !== name || paused.has(name)) return;
  paused.add(name);
  if (trace) appendFileSync(trace, `${name}:paused\n`);
  await new Promise((resolve) => setTimeout(resolve, Number(ms) || 0));
}
