import { spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRecordSink } from '../../src/engine/record-sink.js';
import { appendDeploymentRecords } from '../../src/log/deployments-file.js';
import { StateStore } from '../../src/state/state-store.js';
import { resolveWorkspace } from '../../src/workspace/paths.js';
import { makeWorkspace, removeWorkspaces, repoRoot } from '../helpers/workspace.js';

afterEach(removeWorkspaces);

const input = (version: string) => ({
  task_id: 'DEPLOY-DEV-001',
  environment: 'development' as const,
  version,
  status: 'success' as const,
  started_at: '2026-11-23T10:00:00.000Z',
  completed_at: '2026-11-23T10:00:05.000Z',
  iterations: 1,
  migrations_run: ['001_init'],
  errors: [],
  warnings: [],
  rollback_executed: false,
  approved_by: null,
  commit: null,
});

describe('deployments.json', () => {
  it('appends records, keeps what is there, and never adds a record twice', () => {
    const file = path.join(makeWorkspace(), 'deployments.json');
    writeFileSync(file, '{\n  "deployments": [\n    {"id": "old", "note": "written by hand", "n": 1.50}\n  ]\n}\n');
    appendDeploymentRecords(file, [{ id: 'a', json: JSON.stringify({ id: 'a' }, null, 2) }]);
    appendDeploymentRecords(file, [{ id: 'a', json: JSON.stringify({ id: 'a' }, null, 2) }, { id: 'b', json: JSON.stringify({ id: 'b' }, null, 2) }]);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('{"id": "old", "note": "written by hand", "n": 1.50}');
    expect(JSON.parse(text).deployments.map((d: { id: string }) => d.id)).toEqual(['old', 'a', 'b']);
  });

  it('writes in place at the end: the history before is neither read whole nor rewritten', () => {
    const file = path.join(makeWorkspace(), 'deployments.json');
    writeFileSync(file, '{"deployments":[]}');
    appendDeploymentRecords(file, [{ id: 'a', json: '{"id": "a"}' }]);
    const inode = statSync(file).ino;
    const before = readFileSync(file, 'utf8');
    appendDeploymentRecords(file, [{ id: 'b', json: '{"id": "b", "note": "über"}' }]);
    const after = readFileSync(file, 'utf8');
    expect(statSync(file).ino).toBe(inode);
    expect(after.startsWith(before.slice(0, before.lastIndexOf(']')).trimEnd())).toBe(true);
    expect(JSON.parse(after).deployments).toEqual([{ id: 'a' }, { id: 'b', note: 'über' }]);
  });

  it('refuses a file that does not end with the array, and leaves it as it was', () => {
    const file = path.join(makeWorkspace(), 'deployments.json');
    const text = '{"deployments": [{"id": "a"}], "edited": true}\n';
    writeFileSync(file, text);
    expect(() => appendDeploymentRecords(file, [{ id: 'b', json: '{"id": "b"}' }])).toThrow(/deployments.json: does not end with the deployments array/);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it('records through SQLite first, with the design fields, and redacts secrets', () => {
    const dir = makeWorkspace();
    const ws = resolveWorkspace(dir);
    const store = StateStore.open(ws.stateDb);
    process.env.DEMO_API_TOKEN = 'tok-very-secret-123';
    try {
      const sink = createRecordSink(store, ws, 'demo', 'DEPLOY-DEV-001', 1, () => 'ana');
      sink.recordDeployment({ ...input('1.0.0'), errors: ['auth failed with tok-very-secret-123 at postgres://u:hunter22@db/x'] });
      const [record] = JSON.parse(readFileSync(ws.deploymentsFile, 'utf8')).deployments;
      expect(Object.keys(record)).toEqual([
        'id', 'task_id', 'project', 'environment', 'version', 'status', 'started_at', 'completed_at', 'iterations',
        'migrations_run', 'errors', 'warnings', 'rollback_executed', 'approved_by', 'commit',
      ]);
      expect(record.approved_by).toBe('ana');
      expect(JSON.stringify(record)).not.toContain('tok-very-secret-123');
      expect(JSON.stringify(record)).not.toContain('hunter22');
      expect(store.deployments('demo')).toHaveLength(1);
      expect(sink.deploymentHistory('development').map((d) => d.version)).toEqual(['1.0.0']);
    } finally {
      delete process.env.DEMO_API_TOKEN;
      store.close();
    }
  });

  it('is safe under concurrent writers in separate processes', async () => {
    const dir = makeWorkspace();
    const script = `
      import { StateStore } from '${path.join(repoRoot, 'dist/src/state/state-store.js')}';
      import { createRecordSink } from '${path.join(repoRoot, 'dist/src/engine/record-sink.js')}';
      import { resolveWorkspace } from '${path.join(repoRoot, 'dist/src/workspace/paths.js')}';
      const ws = resolveWorkspace(process.argv[1]);
      const store = StateStore.open(ws.stateDb);
      const sink = createRecordSink(store, ws, 'p' + process.argv[2], 'T', 1, () => null);
      for (let i = 0; i < 40; i++) sink.recordDeployment(${JSON.stringify(input('x'))});
      store.close();`;
    const procs = [1, 2, 3].map(
      (n) =>
        new Promise<number | null>((resolve) => {
          const child = spawn(process.execPath, ['--input-type=module', '-e', script, dir, String(n)], { stdio: 'inherit' });
          child.on('close', resolve);
        }),
    );
    expect(await Promise.all(procs)).toEqual([0, 0, 0]);
    const records = JSON.parse(readFileSync(path.join(dir, '.aibrain', 'deployments.json'), 'utf8')).deployments;
    expect(records).toHaveLength(120);
    expect(new Set(records.map((r: { id: string }) => r.id)).size).toBe(120);
  });
});
