// Appending one record to deployments.json that already holds N records.
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { appendDeploymentRecords } from '../src/log/deployments-file.js';

export function benchDeploymentsAppend(existing: number, appends = 5): { existing: number; file_mb: number; append_ms: number } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'al-bench-dep-'));
  try {
    const file = path.join(dir, 'deployments.json');
    const record = (i: number) => ({
      id: `dep-${i.toString(16).padStart(16, '0')}`,
      task_id: `DEPLOY-${i}`,
      project: 'bench',
      environment: 'staging',
      version: `1.${i % 100}.${i % 7}`,
      status: 'success',
      started_at: '2026-11-23T10:00:00.000Z',
      completed_at: '2026-11-23T10:00:09.000Z',
      iterations: 1,
      migrations_run: ['001_init', '002_more'],
      errors: [],
      warnings: [],
      rollback_executed: false,
      approved_by: 'ops',
      commit: 'a1b2c3d4e5f6',
    });
    const body = Array.from({ length: existing }, (_, i) => JSON.stringify(record(i), null, 2).split('\n').map((l) => `    ${l}`).join('\n'));
    const text = `{\n  "deployments": [\n${body.join(',\n')}\n  ]\n}\n`;
    writeFileSync(file, text);
    const fd = openSync(file, 'r');
    fsyncSync(fd); // the history is on disk before the clock starts, as it is in a real workspace
    closeSync(fd);
    const t0 = performance.now();
    for (let i = 0; i < appends; i++) {
      const r = record(existing + i);
      appendDeploymentRecords(file, [{ id: r.id, json: JSON.stringify(r, null, 2) }]);
    }
    return { existing, file_mb: Number((text.length / 1e6).toFixed(1)), append_ms: Number(((performance.now() - t0) / appends).toFixed(2)) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
