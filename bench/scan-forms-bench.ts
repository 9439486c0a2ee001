// Large files of every SQL form through the scan CLI (whole process), `npm run bench:scan-forms`:
// per form, a 5 MB and a 50 MB file — CPU (user+sys, start-up taken off), peak RSS and its ratio to
// the file, and the 50 MB / 5 MB CPU ratio (the target: 10× the size, at most ~13× the time; memory
// at most ~3× the file). Forms: PostgreSQL (reference), MySQL (detected from its syntax: read again
// as MySQL), SQLite (rebuild idiom), templated, T-SQL with GO, Latin-1 (non-UTF-8 from the start,
// and only at the end: the UTF-8 reading fails last, the file is read again).
// `npm run build && node dist/bench/scan-forms-bench.js [forms] [sizesMb] [cli.js]`
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure, round } from './measure-process.js';
import { goMigration, latin1Migration, migration, mysqlMigration, sqliteMigration, templatedMigration, writeBig } from './scan-bench-files.js';

const forms: Record<string, (file: string, mb: number) => number> = {
  postgres: (f, mb) => writeBig(f, mb),
  mysql: (f, mb) => writeBig(f, mb, mysqlMigration),
  sqlite: (f, mb) => writeBig(f, mb, sqliteMigration),
  templated: (f, mb) => writeBig(f, mb, templatedMigration),
  'tsql-go': (f, mb) => writeBig(f, mb, goMigration),
  latin1: (f, mb) => writeBig(f, mb, latin1Migration, 'latin1'),
  'latin1-late': (f, mb) => writeBig(f, mb, migration, 'utf8', '-- caf\u00e9\n'),
};
const chosen = (process.argv[2] ?? Object.keys(forms).join(',')).split(',');
const sizes = (process.argv[3] ?? '5,50').split(',').map(Number);
const cli = process.argv[4] ? path.resolve(process.argv[4]) : fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

const dir = mkdtempSync(path.join(os.tmpdir(), 'al-scan-forms-bench-'));
try {
  const ours = (file: string): string[] => [process.execPath, cli, 'scan', file, '--json', '--root', dir];
  const tiny = path.join(dir, 'tiny.sql');
  writeFileSync(tiny, 'SELECT 1;\n');
  const base = measure(ours(tiny));
  process.stdout.write(`${cli}\nstart-up: ${round(base.cpu_s * 1000, 0)} ms CPU, ${round(base.rss_mb, 0)} MB peak RSS\n\n`);
  process.stdout.write('form          size      CPU ms   ms/MB   peak RSS MB   RSS/file   exit   CPU vs first size\n');
  for (const form of chosen) {
    const write = forms[form];
    if (!write) throw new Error(`no form ${form} (${Object.keys(forms).join(', ')})`);
    let first: { mb: number; cpu: number } | undefined;
    for (const mb of sizes) {
      const file = path.join(dir, `${form}-${mb}.sql`);
      const actual = write(file, mb);
      const s = measure(ours(file));
      rmSync(file);
      const net = s.cpu_s - base.cpu_s;
      first ??= { mb: actual, cpu: net };
      const ratio = first.mb !== actual && first.cpu > 0 ? `${round(net / first.cpu, 1)}x for ${round(actual / first.mb, 1)}x` : '';
      process.stdout.write(
        `${form.padEnd(13)} ${`${round(actual, 1)} MB`.padEnd(9)} ${String(round(s.cpu_s * 1000, 0)).padStart(7)} ${String(round((net * 1000) / actual, 0)).padStart(7)} ${String(round(s.rss_mb, 0)).padStart(13)} ${String(round(s.rss_mb / actual, 1)).padStart(10)} ${String(s.exit).padStart(6)}   ${ratio}\n`,
      );
    }
  }
  process.stdout.write(`\nload average: ${os.loadavg().map((l) => round(l)).join(' ')} on ${os.cpus().length} cores (figures are noisy under load)\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
