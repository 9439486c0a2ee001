// The scan CLI as a deployment's pre-flight runs it, beside squawk when it is installed: wall time
// on a folder of ~100 small migrations (start-up dominates) and peak memory on one large file.
// `npm run build && node dist/bench/scan-cli-bench.js [squawkBinary] [files] [bigMegabytes] [runs]`
// (squawk: `npm install squawk-cli` in a scratch folder; its binary is node_modules/.bin/squawk).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, rmSync, statSync, writeSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const squawk = process.argv[2] && process.argv[2] !== '-' ? process.argv[2] : undefined;
const fileCount = Number(process.argv[3] ?? 100);
const bigMegabytes = Number(process.argv[4] ?? 50);
const runs = Number(process.argv[5] ?? 7);
const cli = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const timeBinary = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** One run: wall seconds and (with /usr/bin/time) peak resident memory in MB. */
function measure(command: string, args: string[]): { seconds: number; rssMb?: number } {
  const t0 = process.hrtime.bigint();
  const r = timeBinary ? spawnSync(timeBinary, ['-f', '%M', command, ...args], { encoding: 'utf8' }) : spawnSync(command, args, { encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.error) throw r.error;
  const kb = timeBinary ? Number(r.stderr.trim().split('\n').pop()) : NaN;
  return Number.isFinite(kb) ? { seconds, rssMb: kb / 1024 } : { seconds };
}

function summarize(samples: { seconds: number; rssMb?: number }[]): { min_s: number; median_s: number; peak_rss_mb?: number } {
  const s = samples.map((x) => x.seconds).sort((a, b) => a - b);
  const rss = samples.map((x) => x.rssMb ?? 0).filter((x) => x > 0);
  return { min_s: round(s[0] ?? 0), median_s: round(s[Math.floor(s.length / 2)] ?? 0), ...(rss.length ? { peak_rss_mb: round(Math.max(...rss)) } : {}) };
}

function migration(i: number): string {
  const t = `table_${i}`;
  return [
    `-- migration ${i}`,
    `CREATE TABLE ${t} (id bigint PRIMARY KEY, owner bigint NOT NULL, note text);`,
    `CREATE INDEX ${t}_owner_idx ON ${t} (owner);`,
    `ALTER TABLE accounts ADD COLUMN c_${i} integer;`,
    i % 5 === 0 ? `ALTER TABLE accounts ALTER COLUMN c_${i - 1} SET NOT NULL;` : `UPDATE accounts SET c_${i} = 0 WHERE id < 100;`,
    i % 9 === 0 ? `DROP TABLE legacy_${i};` : `COMMENT ON TABLE ${t} IS 'table ${i}';`,
    '',
  ].join('\n');
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'al-scan-cli-bench-'));
try {
  const folder = path.join(dir, 'migrations');
  mkdirSync(folder);
  const files: string[] = [];
  for (let i = 1; i <= fileCount; i++) {
    const file = path.join(folder, `${String(i).padStart(4, '0')}_m.sql`);
    writeFileSync(file, migration(i));
    files.push(file);
  }
  const big = path.join(dir, 'big.sql');
  const fd = openSync(big, 'w');
  writeSync(fd, 'CREATE TABLE t (id int, name text, note text);\n');
  let chunk = '';
  for (let i = 0; statSync(big).size + chunk.length < bigMegabytes * 1024 * 1024; i++) {
    chunk += `INSERT INTO t VALUES (${i}, 'name ${i}', 'a note that makes the row a little longer, like seed data does');\n`;
    if (chunk.length > 1 << 20) {
      writeSync(fd, chunk);
      chunk = '';
    }
  }
  writeSync(fd, `${chunk}DROP TABLE users;\n`);
  closeSync(fd);
  const bigMb = statSync(big).size / 1024 / 1024;

  // Node's own start (nothing loaded): the floor under any Node command, ours and npm's squawk alike.
  const node = Array.from({ length: runs }, () => measure(process.execPath, ['-e', '0']));
  const tiny = path.join(dir, 'tiny.sql');
  writeFileSync(tiny, 'SELECT 1;\n');
  const base = measure(process.execPath, [cli, 'scan', tiny, '--json', '--root', dir]);
  const ours = Array.from({ length: runs }, () => measure(process.execPath, [cli, 'scan', folder, '--json', '--root', dir]));
  const theirs = squawk ? Array.from({ length: runs }, () => measure(squawk, files)) : undefined;
  const oursBig = measure(process.execPath, [cli, 'scan', big, '--json', '--root', dir]);
  const theirsBig = squawk ? measure(squawk, [big]) : undefined;
  const report = {
    node_start: summarize(node),
    small_files: fileCount,
    ours_small: summarize(ours),
    ...(theirs ? { squawk_small: summarize(theirs) } : {}),
    big_file_mb: round(bigMb),
    ours_base_rss_mb: base.rssMb === undefined ? undefined : round(base.rssMb),
    ours_big: {
      seconds: round(oursBig.seconds),
      ...(oursBig.rssMb ? { peak_rss_mb: round(oursBig.rssMb), rss_over_base_per_file_size: round((oursBig.rssMb - (base.rssMb ?? 0)) / bigMb) } : {}),
    },
    ...(theirsBig ? { squawk_big: { seconds: round(theirsBig.seconds), ...(theirsBig.rssMb ? { peak_rss_mb: round(theirsBig.rssMb) } : {}) } } : {}),
    load_average: os.loadavg().map((l) => round(l)),
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
