// npm run trial:runners: the fault cascade of issue 23 at full size (default 50 SIGKILLs and 20
// SIGSTOPs past the lease, four runners, lease 2 s), on a throwaway PostgreSQL cluster (or
// BENCH_DATABASE_URL's server). A trial, not a test: it prints the figures and writes
// bench/runner-faults.json. test/faults/runner-faults.test.ts runs a short version in the suite.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDatabase, startCluster } from '../test/helpers/postgres-cluster.js';
import { runFaultTrial } from './runner-faults.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const cluster = process.env.BENCH_DATABASE_URL ? undefined : await startCluster();
try {
  const databaseUrl = await createDatabase(process.env.BENCH_DATABASE_URL ?? cluster!.url, `trial_${Date.now().toString(36)}`);
  const load = os.loadavg().map((l) => l.toFixed(1)).join(' ');
  const figures = await runFaultTrial({
    databaseUrl,
    kills: arg('--kills', 50),
    stops: arg('--stops', 20),
    chains: arg('--chains', 30),
    leaseSeconds: arg('--lease', 2),
    seed: arg('--seed', Date.now() % 1e9),
    say: (l) => process.stderr.write(`${l}\n`),
  });
  const out = { ...figures, load_before: load, load_after: os.loadavg().map((l) => l.toFixed(1)).join(' '), date: new Date().toISOString() };
  writeFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'runner-faults.json'), `${JSON.stringify(out, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
} finally {
  cluster?.stop();
}
