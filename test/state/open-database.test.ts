import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, schemaMigrations } from '../../src/state/open-database.js';
import { openStore } from '../../src/state/open-store.js';
import { makeWorkspace, removeWorkspaces } from '../helpers/workspace.js';

afterEach(removeWorkspaces);

describe('the state store schema', () => {
  it('migrates a store made by an older version, keeping its data', async () => {
    const file = path.join(makeWorkspace(), 'state.db');
    const old = openDatabase(file, 1);
    expect(old.pragma('user_version', { simple: true })).toBe(1);
    old.prepare(`INSERT INTO tasks (project, task_id, status, iterations, updated_at) VALUES ('p', 'A', 'complete', 2, 'then')`).run();
    old.close();
    const store = await openStore(file, { databaseUrl: undefined }); // this SQLite file, under the PostgreSQL harness too
    try {
      expect(await store.task('p', 'A')).toMatchObject({ status: 'complete', iterations: 2 });
      await store.insertDecision('p', 'd1', 'A', 'approve', 'f', '{}');
      expect(await store.decisions('p')).toHaveLength(1);
    } finally {
      await store.close();
    }
    const db = openDatabase(file);
    try {
      const latest = schemaMigrations().at(-1)!.version;
      expect(latest).toBeGreaterThan(1);
      expect(db.pragma('user_version', { simple: true })).toBe(latest);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
    }
  });

  it('applies a migration a store skipped: one at 011 made by a build without 008 and 009 gets their tables', async () => {
    const file = path.join(makeWorkspace(), 'state.db');
    // What a build that had 001-007, 010 and 011 (but not 008/009) left: user_version 11, no ledger.
    const old = openDatabase(file, 7);
    for (const m of schemaMigrations().filter((x) => x.version === 10 || x.version === 11)) old.exec(m.sql);
    old.exec('DROP TABLE schema_migrations');
    old.pragma('user_version = 11');
    const tables = (db: typeof old): string[] => (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name);
    expect(tables(old)).not.toContain('runners');
    old.close();

    const store = await openStore(file, { databaseUrl: undefined }); // this SQLite file, under the PostgreSQL harness too
    try {
      await store.registerRunner({ runnerId: 'r1', project: 'p', host: 'h', pid: 1, labels: [] }, 30_000);
      expect((await store.runners('p')).map((r) => r.runner_id)).toEqual(['r1']);
    } finally {
      await store.close();
    }
    const db = openDatabase(file);
    try {
      expect(tables(db)).toEqual(expect.arrayContaining(['runners', 'task_claims', 'signals', 'task_output', 'console_tokens', 'projection_marks']));
      const ledger = (db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[]).map((r) => r.version);
      expect(ledger).toEqual(schemaMigrations().map((m) => m.version));
    } finally {
      db.close();
    }
    const { schemaStatus } = await import('../../src/state/schema-status.js');
    expect((await schemaStatus(file, undefined)).pending).toEqual([]);
  });

  it('013 takes each record file\'s mark from the old written flags and stamps (SQLite keeps its behaviour)', async () => {
    const file = path.join(makeWorkspace(), 'state.db');
    const old = openDatabase(file, 11);
    const add = old.prepare("INSERT INTO deployments (id, project, record, written) VALUES (?, 'p', '{}', ?)");
    add.run('d1', 1);
    add.run('d2', 1);
    add.run('d3', 0);
    old.prepare("INSERT INTO projection_stamps (file, stamp) VALUES ('deployments.json', '1:2:3')").run();
    old.close();
    const store = await openStore(file, { databaseUrl: undefined }); // this SQLite file, under the PostgreSQL harness too
    try {
      const key = store.projectionKey('/anywhere/.aibrain/deployments.json');
      expect(key).toBe('deployments.json');
      // written up to d2: the flush appends d3 only
      expect(await store.projectionMark(key)).toEqual({ seq: 2, stamp: '1:2:3' });
      expect((await store.recordsAfter('deployments', 2)).map((r) => r.id)).toEqual(['d3']);
      // no decisions yet: no mark, a file made later is written whole
      expect(await store.projectionMark(store.projectionKey('/anywhere/.aibrain/decisions.jsonl'))).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('journals steps so a completed step is not run twice', async () => {
    const { createStepJournal } = await import('../../src/engine/step-journal.js');
    const store = await openStore(path.join(makeWorkspace(), 'state.db'));
    try {
      let runs = 0;
      const journal = createStepJournal(store, 'p', 'A', 1);
      expect(await journal.run('deploy', async () => ({ n: ++runs }))).toEqual({ n: 1 });
      expect(await createStepJournal(store, 'p', 'A', 1).run('deploy', async () => ({ n: ++runs }))).toEqual({ n: 1 });
      expect(runs).toBe(1);
      await store.beginStep('p', 'A', 1, 'migrate'); // cut off mid-step
      await expect(createStepJournal(store, 'p', 'A', 1).run('migrate', async () => 1, { redoSafe: false })).rejects.toThrow(/cut off and is not safe to redo/);
      expect(await createStepJournal(store, 'p', 'A', 1).run('migrate', async () => 2, { redoSafe: true })).toBe(2);
    } finally {
      await store.close();
    }
  });
});
