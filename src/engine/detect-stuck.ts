export interface IterationTrace {
  error: string | null;
  output: string;
  /** The iteration changed files or improved the verify result: progress, never stuck. */
  progress?: boolean;
}

// Hashes, times, durations and long numbers (pids, ports) change from one try to the next of the
// same failure; small numbers ("module 2 of 5", "coverage 70 %") are what progress looks like.
const normalize = (s: string): string =>
  s
    .replace(/\b[0-9a-f]{7,40}\b/gi, '<hex>')
    .replace(/\d{4}-\d\d-\d\d[T ][\d:.]+Z?/g, '<time>')
    .replace(/\d+(\.\d+)?\s?(ms|s|sec|seconds|m|min)\b/g, '<duration>')
    .replace(/\d{5,}/g, '#')
    .replace(/\s+/g, ' ')
    .trim();

const lastLine = (s: string): string => s.trim().split('\n').filter((l) => l.trim() !== '').pop()?.trim().slice(0, 300) ?? '';

/** How alike two outputs are: shared normalised lines over all of them (1 when both are empty). */
export function similarity(a: string, b: string): number {
  const lines = (s: string): Set<string> => new Set(s.split('\n').map(normalize).filter(Boolean));
  const x = lines(a);
  const y = lines(b);
  if (x.size === 0 && y.size === 0) return 1;
  let shared = 0;
  for (const l of x) if (y.has(l)) shared++;
  return shared / (x.size + y.size - shared);
}

const NEAR = 0.9;

/**
 * Whether the last `after` iterations (oldest first, the newest last) went nowhere: the same
 * failure each time, or (near-)identical output, and none of them changed a file or improved the
 * verify result. Returns the reason with the repeated line.
 */
export function detectStuck(traces: readonly IterationTrace[], after: number): string | null {
  if (traces.length < after) return null;
  const recent = traces.slice(-after);
  if (recent.some((t) => t.progress === true)) return null;
  const newest = recent.at(-1);
  if (!newest) return null;
  if (newest.error !== null && recent.every((t) => t.error !== null && normalize(t.error) === normalize(newest.error ?? ''))) {
    return `stuck: the same failure ${after} iterations in a row: ${newest.error.split('\n')[0]?.slice(0, 300)}`;
  }
  if (recent.every((t) => similarity(t.output.slice(-4000), newest.output.slice(-4000)) >= NEAR)) {
    const line = lastLine(newest.output) || newest.error?.split('\n')[0] || '(no output)';
    return `stuck: (near-)identical output ${after} iterations in a row: ${line}`;
  }
  return null;
}
