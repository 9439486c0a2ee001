import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { startCluster } from './helpers/postgres-cluster.js';
import './helpers/provided-context.js';

// The CLI tests drive the built bin, so build once before any test runs. Type errors are the
// typecheck step's to report (it runs first in `npm test`); here only a missing bin is fatal.
export default async function setup({ provide }: TestProject): Promise<() => void> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const r = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) process.stderr.write(`build reported problems (see npm run typecheck):\n${r.stdout.slice(0, 2000)}\n`);
  if (!existsSync(`${root}dist/src/cli/main.js`)) throw new Error('the build did not produce dist/src/cli/main.js');
  // The shipped rule packs, compiled as `npm run build` does (the CLI reads them so).
  const rules = spawnSync(process.execPath, ['scripts/compile-rule-packs.mjs'], { cwd: root, encoding: 'utf8' });
  if (rules.status !== 0) throw new Error(`compiling the shipped rule packs failed:\n${rules.stderr}`);
  // One throwaway PostgreSQL cluster for the run; each test file makes its own database on it.
  const cluster = await startCluster();
  provide('postgresUrl', cluster.url);
  return () => cluster.stop();
}
