import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { queueJsonSchema } from '../../src/queue/queue-json-schema.js';
import { repoRoot } from '../helpers/workspace.js';

describe('the shipped JSON Schema', () => {
  it('is the one the code generates (npm run schema writes it)', () => {
    const shipped = JSON.parse(readFileSync(path.join(repoRoot, 'schema', 'work-queue.schema.json'), 'utf8'));
    expect(shipped).toEqual(queueJsonSchema());
    const task = shipped.properties.features.items;
    expect(task.required).toEqual(['id']);
    expect(task.additionalProperties).not.toBe(false);
  });
});
