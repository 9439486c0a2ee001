import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseQueue } from '../../src/queue/load-queue.js';
import { patchStatuses, taskLocations } from '../../src/queue/patch-statuses.js';
import { locateTasks } from '../../src/queue/json-text.js';
import { repoRoot } from '../helpers/workspace.js';

const realWorld = readFileSync(path.join(repoRoot, 'test/fixtures/queues/real-world.json'), 'utf8');

describe('writing statuses back', () => {
  // Each write-back patches the text the last one produced, from where that patch left the tasks
  // (not parsing the whole file again): those places must be where a fresh parse finds them.
  it('knows where the tasks of the text it produced sit, as a fresh parse finds them, patch after patch', () => {
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const statuses = ['pending', 'in_progress', 'complete', 'failed', 'awaiting_approval', 'blocked'];
    for (const layout of ['multiline', 'inline', 'mixed']) {
      const tasks = Array.from({ length: 40 }, (_, i) => {
        const withStatus = random(2) === 0 ? `, "status": "${statuses[random(statuses.length)]}"` : '';
        const extra = random(3) === 0 ? `, "note": "caf\\u00e9 \\"q\\" {x}"` : '';
        const inline = layout === 'inline' || (layout === 'mixed' && random(2) === 0);
        return inline
          ? `    { "id": "T${i}"${extra}${random(2) === 0 ? withStatus : ''}, "agent_type": "noop"${withStatus ? '' : ''} }`
          : `    {\n      "id": "T${i}",\n      "agent_type": "noop"${extra}${withStatus.replace(', ', ',\n      ')}\n    }`;
      });
      let text = `{\n  "project": "p",\n  "features": [\n${tasks.join(',\n')}\n  ]\n}\n`;
      for (let round = 0; round < 30; round++) {
        const updates = new Map<string, string>();
        for (let k = 0; k < 1 + random(6); k++) updates.set(`T${random(40)}`, statuses[random(statuses.length)]!);
        const fresh = patchStatuses(JSON.parse(JSON.stringify(text)) as string, 'features', updates);
        text = fresh;
        expect(taskLocations(text, 'features'), `${layout}, round ${round}`).toEqual(locateTasks(text, 'features'));
        const parsed = JSON.parse(text) as { features: { id: string; status?: string }[] };
        for (const [id, status] of updates) expect(parsed.features.find((t) => t.id === id)?.status).toBe(status);
      }
    }
  });

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
