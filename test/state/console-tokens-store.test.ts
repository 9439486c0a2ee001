import { afterEach, describe, expect, it } from 'vitest';
import { removeWorkspaces } from '../helpers/workspace.js';
import { STORES, withStore } from './stores.js';

afterEach(removeWorkspaces);

// Console tokens (migration 011), the same contract in both stores.
describe.each(STORES)('$name store: console tokens', ({ open }) => {
  it('keeps a token by its hash, stamps its use, revokes by id prefix and keeps it listed', async () => {
    await withStore(open, async (store) => {
      expect(await store.consoleTokens()).toEqual([]);
      await store.saveConsoleToken({ id: 'aa11bb22', person: 'ana', hash: 'h-ana', created_at: '2026-01-01T00:00:00.000Z' });
      await store.saveConsoleToken({ id: 'cc33dd44', person: 'bob', hash: 'h-bob', created_at: '2026-01-02T00:00:00.000Z' });
      await expect(store.saveConsoleToken({ id: 'ee55', person: 'eve', hash: 'h-ana', created_at: '2026-01-03T00:00:00.000Z' })).rejects.toThrow();
      expect(await store.useConsoleToken('h-nobody')).toBeUndefined();
      const used = await store.useConsoleToken('h-ana');
      expect(used).toMatchObject({ id: 'aa11bb22', person: 'ana', revoked_at: null });
      expect(used?.last_used_at).toMatch(/^\d{4}-/);
      expect(await store.revokeConsoleToken('%')).toBe(0);
      expect(await store.revokeConsoleToken('aa11')).toBe(1);
      expect(await store.revokeConsoleToken('aa11')).toBe(0);
      expect(await store.useConsoleToken('h-ana')).toBeUndefined();
      const listed = await store.consoleTokens();
      expect(listed.map((t) => [t.id, t.person, t.revoked_at !== null])).toEqual([['aa11bb22', 'ana', true], ['cc33dd44', 'bob', false]]);
    });
  });
});

describe.each(STORES)('$name store: tasks saved since', ({ open }) => {
  it('gives the rows saved at or after a time, and nothing older', async () => {
    await withStore(open, async (store) => {
      await store.saveTask('p', { task_id: 'OLD', status: 'complete', file_status: 'complete', iterations: 1, base_iteration: 0, last_error: null, reason: null });
      await store.saveTask('q', { task_id: 'OTHER', status: 'pending', file_status: 'pending', iterations: 0, base_iteration: 0, last_error: null, reason: null });
      await new Promise((r) => setTimeout(r, 20));
      const since = new Date().toISOString();
      await store.saveTask('p', { task_id: 'NEW', status: 'in_progress', file_status: 'pending', iterations: 1, base_iteration: 0, last_error: null, reason: null });
      expect((await store.tasksUpdatedSince('p', since)).map((r) => [r.task_id, r.status])).toEqual([['NEW', 'in_progress']]);
      expect((await store.tasksUpdatedSince('p', '')).map((r) => r.task_id).sort()).toEqual(['NEW', 'OLD']);
    });
  });
});
