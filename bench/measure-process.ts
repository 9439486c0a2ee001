// One whole-process run measured by GNU time: wall, user+sys CPU seconds and peak resident memory
// (bench:scan, bench:scan-forms). Wall time is noise on a shared machine; CPU and RSS are not.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface Sample { wall_s: number; cpu_s: number; rss_mb: number; exit: number | null }

const timeBinary = '/usr/bin/time';

export function measure(argv: string[]): Sample {
  if (!existsSync(timeBinary)) throw new Error('the scan benches need /usr/bin/time (GNU time) for CPU time and peak memory');
  const [command = '', ...args] = argv;
  const t0 = process.hrtime.bigint();
  const r = spawnSync(timeBinary, ['-f', 'TIME %U %S %M', command, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.error) throw r.error;
  const m = /TIME ([\d.]+) ([\d.]+) (\d+)\s*$/.exec(r.stderr);
  if (!m) throw new Error(`no /usr/bin/time figures for ${command}: ${r.stderr.slice(-500)}`);
  return { wall_s: wall, cpu_s: Number(m[1]) + Number(m[2]), rss_mb: Number(m[3]) / 1024, exit: r.status };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

export const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;
