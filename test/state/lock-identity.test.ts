import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/state/open-store.js';
import { withStateDb } from '../helpers/state-db.js';
import { freshDatabase } from '../helpers/postgres.js';
import { itSqliteOnly } from '../helpers/test-store.js';
import { makeWorkspace, removeWorkspaces, runCli, writeQueue } from '../helpers/workspace.js';

afterEach(removeWorkspaces);

/** A lock row as a loop elsewhere (or earlier) left it. */
async function plantLock(ws: string, row: { pid: number; host?: string; boot_id?: string | null; start_time?: string | null }): Promise<void> {
  const store = await openStore(path.join(ws, '.aibrain', 'state.db'));
  try {
    await store.acquireLock('p', 'run-old', () => false);
  } finally {
    await store.close();
  }
  withStateDb(ws, (db) =>
    db.prepare('UPDATE locks SET pid = ?, host = COALESCE(?, host), boot_id = ?, start_time = ? WHERE project = ?').run(row.pid, row.host ?? null, row.boot_id ?? null, row.start_time ?? null, 'p'),
  );
}

describe('the project lock', () => {
  it('holds pid, host, boot id and start time', async () => {
    const ws = makeWorkspace();
    writeQueue(ws, 'p', { features: [{ id: 'A', agent_type: 'noop' }] });
    const store = await openStore(path.join(ws, '.aibrain', 'state.db'));
    try {
      await store.acquireLock('p', 'run-1', () => true);
      const holder = (await store.lockHolder('p'))!;
      expect(holder.pid).toBe(process.pid);
      expect(holder.boot_id).toBe(readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim());
      expect(holder.start_time).toMatch(/^\d+$/);
      await store.releaseLock('p', 'run-1');
    } finally {
      await store.close();
    }
  });

  itSqliteOnly('the lock row is planted in .aibrain/state.db')('a reused pid is detected: a lock of PID 1 from a loop that was PID 1 in a container is taken over', async () => {
    const ws = makeWorkspace();
    writeQueue(ws, 'p', { features: [{ id: 'A', agent_type: 'noop' }] });
    await plantLock(ws, { pid: 1, boot_id: readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(), start_time: '1' });
    const r = runCli(['--project', 'p'], { cwd: ws });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(path.join(ws, '.aibrain', 'logs', 'p.jsonl'), 'utf8')).toContain('took over the lock');
  });

  it.each([
    ['a reused pid (PID 1 of a container)', { pid: 1, boot_id: readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(), start_time: '1' }],
    ['an earlier boot', { pid: process.pid, boot_id: '00000000-0000-0000-0000-000000000000', start_time: null }],
  ])('on PostgreSQL too: a lock of %s is taken over', async (_what, row) => {
    const url = await freshDatabase();
    const ws = makeWorkspace();
    writeQueue(ws, 'p', { features: [{ id: 'A', agent_type: 'noop' }] });
    const store = await openStore('', { databaseUrl: url });
    try {
      await store.acquireLock('p', 'run-old', () => false);
    } finally {
      await store.close();
    }
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      expect((await client.query('UPDATE autonomous_loop.locks SET pid = $1, boot_id = $2, start_time = $3 WHERE project = $4', [row.pid, row.boot_id, row.start_time, 'p'])).rowCount).toBe(1);
    } finally {
      await client.end();
    }
    const r = runCli(['--project', 'p'], { cwd: ws, env: { AUTONOMOUS_LOOP_DATABASE_URL: url } });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(path.join(ws, '.aibrain', 'logs', 'p.jsonl'), 'utf8')).toContain('took over the lock');
  });

  itSqliteOnly('the lock row is planted in .aibrain/state.db')('a lock from an earlier boot is taken over', async () => {
    const ws = makeWorkspace();
    writeQueue(ws, 'p', { features: [{ id: 'A', agent_type: 'noop' }] });
    await plantLock(ws, { pid: process.pid, boot_id: '00000000-0000-0000-0000-000000000000' });
    expect(runCli(['--project', 'p'], { cwd: ws }).code).toBe(0);
  });

  it('a live holder keeps it; a lock from another host needs unlock --force, which is recorded', async () => {
    const ws = makeWorkspace();
    writeQueue(ws, 'p', { features: [{ id: 'A', agent_type: 'noop' }] });
    await plantLock(ws, { pid: 1, host: 'build-7.example' });
    const r = runCli(['--project', 'p'], { cwd: ws });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("autonomous-loop unlock --project p --force");
    const refused = runCli(['unlock', '--project', 'p'], { cwd: ws });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('build-7.example');
    const forced = runCli(['unlock', '--project', 'p', '--force', '--by', 'ana'], { cwd: ws });
    expect(forced.code, forced.stderr).toBe(0);
    expect(runCli(['--project', 'p'], { cwd: ws }).code).toBe(0);
    const decisions = JSON.parse(runCli(['history', '--decisions', '--json'], { cwd: ws }).stdout).decisions;
    expect(decisions.map((d: { decision: string; by: string }) => [d.decision, d.by])).toEqual([['unlock', 'ana']]);
    expect(decisions[0].reason).toContain('build-7.example');
  });
});
