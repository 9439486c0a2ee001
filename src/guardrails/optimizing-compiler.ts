import v8 from 'node:v8';

// A short scan is over before V8's optimizing compiler (TurboFan, whose compiles run on background
// threads and count as CPU) pays back what it costs. Measured on the bench's migrations
// (bench/scan-cli-bench.ts), whole process, CPU: 1,000 small files (~0.9 MB) 0.62 s with it off
// and 0.82 s with it on; one 1 MB file 0.70 / 0.74 s; 1.5 MB 0.89 / 0.83 s; 2 MB 1.05 / 0.88 s;
// 5 MB 2.1 / 1.4 s. So a process that only scans (the scan CLI) starts with it off, and turns it
// on once a megabyte of text has been read (before the file that crosses the mark).

/** Characters read from which the optimizing compiler pays for itself. */
const PAYS_FROM = 1024 * 1024;
/** Characters read so far while it is off; -1 when it is on (the default). */
let readWhileOff = -1;

/** For a process that only scans: V8 starts without its optimizing compiler (see above). */
export function startWithoutOptimizingCompiler(): void {
  if (readWhileOff >= 0) return;
  v8.setFlagsFromString('--no-opt');
  readWhileOff = 0;
}

/** Counts text about to be scanned; the optimizing compiler comes back once it pays. Nothing when it was never turned off. */
export function noteTextToScan(chars: number): void {
  if (readWhileOff < 0) return;
  readWhileOff += chars;
  if (readWhileOff < PAYS_FROM) return;
  v8.setFlagsFromString('--opt');
  readWhileOff = -1;
}

/** Whether the optimizing compiler is off for a short scan (for tests). */
export function optimizingCompilerOff(): boolean {
  return readWhileOff >= 0;
}
