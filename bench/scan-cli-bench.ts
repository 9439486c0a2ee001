// The scan CLI as a deployment's pre-flight runs it (whole process), `npm run bench:scan`:
//  1. linearity: one file of real-shaped migrations at 1, 5 and 50 MB — CPU ms (user+sys), ms/MB and
//     peak RSS per size, and the ratio to the 5 MB run (the target: 10× the size, at most ~13× the time;
//     peak memory at most ~3× the file);
//  2. many small files: a folder of 1,000+ migrations through ours and squawk side by side (median of 5).
// CPU time and RSS come from /usr/bin/time (wall time is noise on a shared machine; it is printed too).
// `npm run build && node dist/bench/scan-cli-bench.js [squawkBinary|-] [files] [sizesMb] [runs]`
// squawk: the given binary, else node_modules/.bin/squawk, else `npx --yes squawk-cli`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Sample, measure, median, round } from './measure-process.js';
import { migration, writeBig } from './scan-bench-files.js';

const cli = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const localSquawk = fileURLToPath(new URL('../../node_modules/.bin/squawk', import.meta.url));
/** The devDependency's binary when its platform package installed (it runs), else npx. */
const runsOk = (argv: string[]): boolean => spawnSync(argv[0] ?? '', [...argv.slice(1), '--version'], { encoding: 'utf8' }).status === 0;
const squawk: string[] | undefined =
  process.argv[2] === '-' ? undefined : process.argv[2] ? [process.argv[2]] : existsSync(localSquawk) && runsOk([localSquawk]) ? [localSquawk] : ['npx', '--yes', 'squawk-cli'];
const fileCount = Number(process.argv[3] ?? 1000);
const sizes = (process.argv[4] ?? '1,5,50').split(',').map(Number);
const runs = Number(process.argv[5] ?? 5);
const dir = mkdtempSync(path.join(os.tmpdir(), 'al-scan-cli-bench-'));
try {
  const ours = (paths: string[]): string[] => [process.execPath, cli, 'scan', ...paths, '--json', '--root', dir];
  const tiny = path.join(dir, 'tiny.sql');
  writeFileSync(tiny, 'SELECT 1;\n');
  const base = measure(ours([tiny]));
  process.stdout.write(`start-up (one-statement file): ${round(base.cpu_s * 1000, 0)} ms CPU, ${round(base.rss_mb, 0)} MB peak RSS\n\n`);

  // 1. Linearity.
  process.stdout.write('size      CPU ms    ms/MB   wall ms   peak RSS MB   RSS/file   CPU vs 5 MB (x size)\n');
  const bySize: { mb: number; cpu: number }[] = [];
  for (const mb of sizes) {
    const file = path.join(dir, `big-${mb}.sql`);
    const actual = writeBig(file, mb);
    const s = measure(ours([file]));
    rmSync(file);
    const net = s.cpu_s - base.cpu_s;
    bySize.push({ mb: actual, cpu: net });
    const ref = bySize.find((b) => Math.round(b.mb) === 5);
    const ratio = ref && ref.cpu > 0 ? `${round(net / ref.cpu, 1)}x for ${round(actual / ref.mb, 1)}x` : '';
    process.stdout.write(
      `${`${round(actual, 1)} MB`.padEnd(9)} ${String(round(s.cpu_s * 1000, 0)).padStart(7)} ${String(round((net * 1000) / actual, 0)).padStart(8)} ${String(round(s.wall_s * 1000, 0)).padStart(9)} ${String(round(s.rss_mb, 0)).padStart(13)} ${String(round(s.rss_mb / actual, 1)).padStart(10)}   ${ratio}\n`,
    );
  }

  // 2. Many small files, side by side.
  const folder = path.join(dir, 'migrations');
  mkdirSync(folder);
  const files: string[] = [];
  for (let i = 1; i <= fileCount; i++) {
    const file = path.join(folder, `${String(i).padStart(5, '0')}_m.sql`);
    writeFileSync(file, migration(i));
    files.push(file);
  }
  process.stdout.write(`\n${fileCount} files, whole process, median of ${runs}:\n`);
  const row = (name: string, xs: Sample[]): void => {
    process.stdout.write(`${name.padEnd(34)} wall ${round(median(xs.map((x) => x.wall_s)), 2)} s   CPU ${round(median(xs.map((x) => x.cpu_s)), 2)} s   peak RSS ${round(Math.max(...xs.map((x) => x.rss_mb)), 0)} MB   exit ${xs[0]?.exit}\n`);
  };
  const oursSmall = Array.from({ length: runs }, () => measure(ours([folder])));
  row('autonomous-loop scan', oursSmall);
  if (squawk) {
    const theirs = Array.from({ length: runs }, () => measure([...squawk, ...files]));
    row(`squawk (${squawk.join(' ').replace(/.*node_modules\/\.bin\//, '')})`, theirs);
    const a = median(oursSmall.map((x) => x.cpu_s));
    const b = median(theirs.map((x) => x.cpu_s));
    process.stdout.write(`ours / squawk CPU: ${round(a / b, 2)}x\n`);
  }
  process.stdout.write(`\nload average: ${os.loadavg().map((l) => round(l)).join(' ')} on ${os.cpus().length} cores (figures are noisy under load)\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
