import { scanPaths } from './dist/src/guardrails/index.js';
await scanPaths(['/tmp/gr/corpus/migrations/00001_migration_1.sql']);
for (let i = 0; i < 3; i++) {
const t0 = performance.now();
const r = await scanPaths(['/tmp/gr/corpus/migrations']);
const s = (performance.now() - t0) / 1000;
console.log((20.03 / s).toFixed(1), 'MB/s');
}
