import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseQueue } from '../../src/queue/load-queue.js';
import { patchStatuses } from '../../src/queue/patch-statuses.js';
import { repoRoot } from '../helpers/workspace.js';

const realWorld = readFileSync(path.join(repoRoot, 'test/fixtures/queues/real-world.json'), 'utf8');

describe('writing statuses back', () => {
  it('changes only the status values, byte for byte', () => {
    const out = patchStatuses(realWorld, 'features', new Map([['F002', 'complete']]));
    expect(out).toBe(realWorld.replace('"status": "pending"', '"status": "complete"'));
    // number spellings, escapes, nulls and key order are untouched
    expect(out).toContain('"estimate": 1.50');
    expect(out).toContain('"ratio": 1e3');
    expect(out).toContain('caf\\u00e9');
  });

  it('adds a status where a task has none, in the object own layout', () => {
    const out = patchStatuses(realWorld, 'features', new Map([['F003', 'in_progress'], ['F004', 'failed']]));
    expect(out).toContain('{ "id": "F003", "description": "Inline task", "agent_type": "noop", "dependencies": ["F001"], "requires_approval": false, "status": "in_progress" }');
    expect(out).toContain('"completion_promise": "F004 DONE",\n      "status": "failed"\n    }');
    const queue = parseQueue(out, 'tasks/work_queue_karematch.json', { defaultAgent: 'command', maxIterations: () => 3 });
    expect(queue.fileStatus.get('F004')).toBe('failed');
    // every other key survives with its value
    const before = JSON.parse(realWorld);
    const after = JSON.parse(out);
    expect({ ...after, features: undefined }).toEqual({ ...before, features: undefined });
    after.features.forEach((t: Record<string, unknown>, i: number) => {
      const { status: _a, ...restAfter } = t;
      const { status: _b, ...restBefore } = before.features[i];
      expect(restAfter).toEqual(restBefore);
      expect(Object.keys(restAfter)).toEqual(Object.keys(restBefore));
    });
  });

  it('handles an empty task object and a compact file', () => {
    const text = '{"features":[{"id":"A"},{"id":"B","status":"pending"}]}';
    expect(patchStatuses(text, 'features', new Map([['A', 'complete'], ['B', 'failed']]))).toBe('{"features":[{"id":"A", "status": "complete"},{"id":"B","status":"failed"}]}');
  });
});
