import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { findBin, startCluster } from './helpers/postgres-cluster.js';
import { TEMPLATE_DATABASE, testStore } from './helpers/test-store.js';
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
  // TEST_STORE=postgres (npm run test:pg): the whole suite on PostgreSQL. Every test workspace gets
  // a copy of one migrated template database (test/helpers/test-store.ts).
  if (testStore() === 'postgres') makeTemplate(root, cluster.url);
  return () => cluster.stop();
}

function makeTemplate(root: string, clusterUrl: string): void {
  const url = new URL(clusterUrl);
  const pgEnv = { ...process.env, PGPASSWORD: decodeURIComponent(url.password) };
  const made = spawnSync(findBin('createdb'), ['-h', url.hostname, '-p', url.port, '-U', decodeURIComponent(url.username), TEMPLATE_DATABASE], { env: pgEnv, encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`createdb ${TEMPLATE_DATABASE} failed: ${made.stderr}`);
  url.pathname = `/${TEMPLATE_DATABASE}`;
  const migrated = spawnSync(process.execPath, [`${root}dist/src/cli/main.js`, 'db', 'migrate'], { cwd: root, env: { ...process.env, AUTONOMOUS_LOOP_DATABASE_URL: url.toString() }, encoding: 'utf8' });
  if (migrated.status !== 0) throw new Error(`db migrate on the template database failed (${migrated.status}):\n${migrated.stdout}\n${migrated.stderr}`);
}
