import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRecordSink } from '../../src/engine/record-sink.js';
import { appendDeploymentRecords } from '../../src/log/deployments-file.js';
import { openStore } from '../../src/state/open-store.js';
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

  it('finishes an append that a power cut tore, from its journal, before the next one', () => {
    const dir = makeWorkspace();
    const file = path.join(dir, 'deployments.json');
    writeFileSync(file, '{\n  "deployments": [\n    {"id": "a"}\n  ]\n}\n');
    const before = readFileSync(file);
    appendDeploymentRecords(file, [{ id: 'b', json: '{"id": "b", "note": "ü"}' }]);
    const after = readFileSync(file);
    let at = 0;
    while (before[at] === after[at]) at++;
    const patch = after.subarray(at);
    // What a cut-off append leaves: its journal, and the file with only part of the patch written.
    writeFileSync(path.join(dir, '.deployments.json.journal'), Buffer.concat([Buffer.from(`${at} ${patch.length}\n`), patch]));
    writeFileSync(file, after.subarray(0, at + 7));
    expect(() => JSON.parse(readFileSync(file, 'utf8'))).toThrow();
    appendDeploymentRecords(file, [{ id: 'b', json: '{"id": "b", "note": "ü"}' }, { id: 'c', json: '{"id": "c"}' }]);
    expect(JSON.parse(readFileSync(file, 'utf8')).deployments.map((d: { id: string }) => d.id)).toEqual(['a', 'b', 'c']);
    expect(existsSync(path.join(dir, '.deployments.json.journal'))).toBe(false);
  });

  it('drops a journal that was itself cut off: the file was not touched yet', () => {
    const dir = makeWorkspace();
    const file = path.join(dir, 'deployments.json');
    writeFileSync(file, '{"deployments": [{"id": "a"}]}\n');
    writeFileSync(path.join(dir, '.deployments.json.journal'), '27 400\n, {"id": "lost"');
    appendDeploymentRecords(file, [{ id: 'b', json: '{"id": "b"}' }]);
    expect(JSON.parse(readFileSync(file, 'utf8')).deployments).toEqual([{ id: 'a' }, { id: 'b' }]);
  });

  it('refuses a file that does not end with the array, and leaves it as it was', () => {
    const file = path.join(makeWorkspace(), 'deployments.json');
    const text = '{"deployments": [{"id": "a"}], "edited": true}\n';
    writeFileSync(file, text);
    expect(() => appendDeploymentRecords(file, [{ id: 'b', json: '{"id": "b"}' }])).toThrow(/deployments.json: does not end with the deployments array/);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it('records through the state store first (SQLite or PostgreSQL), with the design fields, and redacts secrets', async () => {
    const dir = makeWorkspace();
    const ws = resolveWorkspace(dir);
    const store = await openStore(ws.stateDb);
    process.env.DEMO_API_TOKEN = 'tok-very-secret-123';
    try {
      const sink = createRecordSink(store, ws, 'demo', 'DEPLOY-DEV-001', 1, () => 'ana');
      await sink.recordDeployment({ ...input('1.0.0'), errors: ['auth failed with tok-very-secret-123 at postgres://u:hunter22@db/x'] });
      const [record] = JSON.parse(readFileSync(ws.deploymentsFile, 'utf8')).deployments;
      expect(Object.keys(record)).toEqual([
        'id', 'kind', 'task_id', 'project', 'environment', 'version', 'status', 'started_at', 'completed_at', 'iterations',
        'migrations_run', 'errors', 'warnings', 'rollback_executed', 'approved_by', 'commit',
      ]);
      expect(record.approved_by).toBe('ana');
      expect(JSON.stringify(record)).not.toContain('tok-very-secret-123');
      expect(JSON.stringify(record)).not.toContain('hunter22');
      expect(await store.deployments('demo')).toHaveLength(1);
      expect((await sink.deploymentHistory('development')).map((d) => d.version)).toEqual(['1.0.0']);
    } finally {
      delete process.env.DEMO_API_TOKEN;
      await store.close();
    }
  });

  it('is safe under concurrent writers in separate processes', async () => {
    const dir = makeWorkspace();
    const script = `
      import { openStore } from '${path.join(repoRoot, 'dist/src/state/open-store.js')}';
      import { createRecordSink } from '${path.join(repoRoot, 'dist/src/engine/record-sink.js')}';
      import { resolveWorkspace } from '${path.join(repoRoot, 'dist/src/workspace/paths.js')}';
      const ws = resolveWorkspace(process.argv[1]);
      const store = await openStore(ws.stateDb);
      const sink = createRecordSink(store, ws, 'p' + process.argv[2], 'T', 1, () => null);
      for (let i = 0; i < 40; i++) await sink.recordDeployment(${JSON.stringify(input('x'))});
      await store.close();`;
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
