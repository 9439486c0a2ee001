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
    const store = await openStore(file);
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
