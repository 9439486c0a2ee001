// Readiness review memory: a repository far over the review's byte budget (default 700 MB of
// source, the size that ran V8 out of memory before the budget) is reviewed within the budget;
// prints the time, the peak RSS and what the report says was skipped.
// `npm run build && node dist/bench/readiness-budget-bench.js [megabytes]`
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { reviewReadiness } from '../src/readiness/index.js';

const megabytes = Number(process.argv[2] ?? 700);
const FILE_BYTES = 200 * 1024;

/** About 200 KB of ordinary TypeScript: functions, calls, strings, one environment read. */
function module(n: number): string {
  const head = `import { db } from '../db';\nconst url = process.env.SERVICE_${n % 50}_URL;\n`;
  const fn = (i: number): string =>
    `export async function handler${i}(id: string): Promise<number> {\n  // look the row up, then count\n  const rows = await db.query('SELECT * FROM t${i} WHERE id = $1', [id]);\n  return rows.length + ${i};\n}\n`;
  let out = head;
  for (let i = 0; out.length < FILE_BYTES; i++) out += fn(i);
  return out.slice(0, FILE_BYTES);
}

const root = mkdtempSync(path.join(os.tmpdir(), 'al-readiness-budget-'));
try {
  writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'huge', version: '1.0.0', dependencies: { express: '4' } }));
  const files = Math.ceil((megabytes * 1024 * 1024) / FILE_BYTES);
  for (let i = 0; i < files; i++) {
    const dir = path.join(root, 'src', `d${Math.floor(i / 200)}`);
    if (i % 200 === 0) mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, `m${i}.ts`), module(i));
  }
  const t0 = performance.now();
  const report = await reviewReadiness({ project: 'huge', projectPath: root, environment: 'production' });
  const ms = performance.now() - t0;
  const c = report.coverage;
  console.log(`readiness review of ${files} files, ${megabytes} MB of source (budget ${(c.budgetBytes / 1024 / 1024).toFixed(0)} MB)`);
  console.log(`  ${(ms / 1000).toFixed(1)} s, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  console.log(`  read ${c.filesRead} file(s), ${(c.bytesRead / 1024 / 1024).toFixed(1)} MB; skipped ${c.skippedCount} file(s), ${(c.skippedBytes / 1024 / 1024).toFixed(1)} MB (listed in the report)`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
