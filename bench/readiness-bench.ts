// Readiness review speed: generates a project of ~3,000 source files (TypeScript and Python, with
// docs, migrations and a node_modules folder that must be skipped) in a temp folder and times
// reviewReadiness on it, cold (first run: rule packs and the SQL parser load) and warm.
// `npm run build && node dist/bench/readiness-bench.js [files]`
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { reviewReadiness } from '../src/readiness/index.js';

const fileCount = Number(process.argv[2] ?? 3000);

function write(root: string, rel: string, text: string): void {
  const file = path.join(root, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

function tsModule(n: number): string {
  return [
    `import axios from 'axios';`,
    `// Module ${n}: process.env.IN_A_COMMENT is not read.`,
    `const api = axios.create({ baseURL: process.env.API_URL_${n % 40}, timeout: 5000 });`,
    `const { FEATURE_${n % 25} = 'off' } = process.env;`,
    `export async function load${n}(id: string): Promise<unknown> {`,
    `  const res = await fetch(\`\${process.env.UPSTREAM_URL}/items/\${id}\`, { signal: AbortSignal.timeout(2000) });`,
    `  const re = /items\\/(\\d+)/g;`,
    `  return { data: await res.json(), other: await api.get('/x/' + id), re, flag: FEATURE_${n % 25} };`,
    `}`,
    ...Array.from({ length: 40 }, (_, i) => `export const value${n}_${i} = ${i} * 2; // filler line ${i}`),
  ].join('\n');
}

function pyModule(n: number): string {
  return [
    `"""Module ${n}: os.environ['IN_A_DOCSTRING'] is not read."""`,
    'import os',
    'import requests',
    `SETTING_${n % 30} = os.environ.get("SETTING_${n % 30}", "default")`,
    `def fetch_${n}(item):`,
    `    return requests.get(f"{os.environ['UPSTREAM_URL']}/items/{item}", timeout=(3, 10)).json()`,
    ...Array.from({ length: 40 }, (_, i) => `VALUE_${n}_${i} = ${i} * 2  # filler line ${i}`),
  ].join('\n');
}

const root = mkdtempSync(path.join(os.tmpdir(), 'al-readiness-bench-'));
try {
  write(root, 'package.json', JSON.stringify({ name: 'big', version: '1.0.0', dependencies: { express: '4', pino: '9', helmet: '7', axios: '1' } }));
  write(root, 'requirements.txt', 'flask\ngunicorn\nrequests\n');
  write(root, 'CHANGELOG.md', '## 1.0.0\n\n- first\n');
  write(root, 'docs/runbook.md', '# Runbook\n\n1. Check /healthz.\n2. Read the logs.\n\n## Rollback\n\n1. Deploy the previous version.\n2. Run the down migrations.\n');
  write(root, 'docs/deploy.md', '# Deploy\n\nRequires Node 20.\n\n1. npm ci\n2. npm run deploy\n');
  write(root, 'src/server.ts', "import express from 'express';\nimport helmet from 'helmet';\nimport pino from 'pino';\nconst app = express();\napp.use(helmet());\napp.get('/healthz', ok);\nprocess.on('SIGTERM', stop);\n");
  for (let i = 0; i < 50; i++) {
    write(root, `migrations/${String(i).padStart(3, '0')}_m.up.sql`, `CREATE TABLE t${i} (id int);\n`);
    write(root, `migrations/${String(i).padStart(3, '0')}_m.down.sql`, `DROP TABLE t${i};\n`);
  }
  const ts = Math.round(fileCount * 0.6);
  for (let i = 0; i < ts; i++) write(root, `src/modules/m${Math.floor(i / 100)}/mod${i}.ts`, tsModule(i));
  for (let i = 0; i < fileCount - ts; i++) write(root, `py/pkg${Math.floor(i / 100)}/mod${i}.py`, pyModule(i));
  for (let i = 0; i < 2000; i++) write(root, `node_modules/dep${i % 50}/lib/f${i}.js`, 'process.env.SHOULD_BE_SKIPPED;\n');

  const input = { project: 'bench', projectPath: root, environment: 'production' as const, healthCheckConfigured: true };
  const t0 = performance.now();
  const cold = await reviewReadiness(input);
  const t1 = performance.now();
  const runs = 3;
  for (let i = 0; i < runs; i++) await reviewReadiness(input);
  const warm = (performance.now() - t1) / runs;
  console.log(`readiness review of ${fileCount} source files (+2,000 skipped in node_modules, 100 migrations)`);
  console.log(`  cold: ${(t1 - t0).toFixed(0)} ms, warm: ${warm.toFixed(0)} ms (mean of ${runs})`);
  console.log(`  ${cold.findings.length} finding(s), score ${cold.score}: ${cold.findings.map((f) => `${f.severity} ${f.title}`).join('; ') || 'none'}`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
