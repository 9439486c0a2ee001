import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { loadQueue, parseQueue, type QueueDefaults } from '../../src/queue/load-queue.js';
import { repoRoot } from '../helpers/workspace.js';

const defaults: QueueDefaults = { defaultAgent: 'command', maxIterations: () => 3 };
const realWorld = readFileSync(path.join(repoRoot, 'test/fixtures/queues/real-world.json'), 'utf8');

function problemOf(text: string, file = 'tasks/work_queue_x.json'): string {
  try {
    parseQueue(text, file, defaults);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).exitCode).toBe(2);
    return (e as Error).message;
  }
  throw new Error('expected the queue to be refused');
}

const q = (features: unknown[], extra: Record<string, unknown> = {}): string => JSON.stringify({ project: 'x', features, ...extra }, null, 2);

describe('loading a queue', () => {
  it('loads a real-world queue with unknown fields, aliases and nulls', () => {
    const queue = parseQueue(realWorld, 'tasks/work_queue_karematch_features.json', defaults);
    expect(queue.projectName).toBe('karematch');
    expect(queue.tasks.map((t) => t.id)).toEqual(['F001', 'F002', 'F003', 'F004']);
    expect(queue.fileStatus.get('F001')).toBe('complete');
    expect(queue.usesCompleted).toBe(true);
    const f002 = queue.tasks[1]!;
    expect(f002.dependsOn).toEqual(['F001']);
    expect(f002.approvalReasons).toEqual(['touches PII', 'schema change']);
    expect(queue.tasks[0]!.approvalReasons).toBe(false);
    expect(queue.tasks[3]!.completionPromise).toBe('F004 DONE');
    expect(queue.tasks[3]!.dependsOn).toEqual(['F002', 'F003']);
    expect(queue.tasks[0]!.agentType).toBe('command');
  });

  it('accepts "tasks" for "features" and dev/stage/prod for environments', () => {
    const queue = parseQueue(JSON.stringify({ tasks: [{ id: 'A', environment: 'prod' }, { id: 'B', environment: 'Stage' }] }), 'tasks/work_queue_y.json', defaults);
    expect(queue.tasksKey).toBe('tasks');
    expect(queue.projectName).toBe('y');
    expect(queue.tasks.map((t) => t.environment)).toEqual(['production', 'staging']);
  });

  it('reports malformed JSON with line and column', () => {
    const msg = problemOf('{\n  "features": [\n    {"id": "A",}\n  ]\n}');
    expect(msg).toMatch(/^tasks\/work_queue_x\.json: line 3, column \d+: not valid JSON/);
  });

  it('reports wrong types with the JSON path, all at once', () => {
    const msg = problemOf(q([{ id: 'A', max_iterations: 'three' }, { id: 'B', depends_on: 'A' }, { id: 'C', status: 'finished' }]));
    expect(msg).toContain('3 problems');
    expect(msg).toContain('features[0].max_iterations:');
    expect(msg).toContain('features[1].depends_on:');
    expect(msg).toContain("features[2].status: expected one of pending");
  });

  it('refuses duplicate ids, unknown dependencies (with a suggestion) and self-dependencies', () => {
    expect(problemOf(q([{ id: 'A' }, { id: 'A' }]))).toContain("features[1].id: duplicate task id 'A' (first at features[0])");
    expect(problemOf(q([{ id: 'DEPLOY-DEV-001' }, { id: 'B', depends_on: ['DEPLOY-DEV-01'] }]))).toContain(
      "features[1].depends_on[0]: unknown task id 'DEPLOY-DEV-01' (did you mean 'DEPLOY-DEV-001'?)",
    );
    expect(problemOf(q([{ id: 'A', depends_on: ['A'] }]))).toContain("'A' depends on itself");
  });

  it('prints a cycle as the cycle', () => {
    const msg = problemOf(q([{ id: 'A', depends_on: ['C'] }, { id: 'B', depends_on: ['A'] }, { id: 'C', depends_on: ['B'] }, { id: 'D' }]));
    expect(msg).toMatch(/dependency cycle (A -> C -> B -> A|C -> B -> A -> C|B -> A -> C -> B)/);
  });

  it('refuses paths that leave the project root and ids with separators or shell characters', () => {
    expect(problemOf(q([{ id: 'A', migrations_path: '../../etc' }]))).toContain('features[0].migrations_path');
    expect(problemOf(q([{ id: 'A', migrations_path: '/etc/passwd' }]))).toContain('leaves the project root');
    expect(problemOf(q([{ id: 'a/b' }]))).toContain('features[0].id');
    expect(problemOf(q([{ id: 'x;rm -rf /' }]))).toContain('features[0].id');
    expect(problemOf(q([{ id: '$(touch pwned)' }]))).toContain('features[0].id');
  });

  it('refuses a file that is not a queue', () => {
    expect(problemOf('[]')).toContain('expected a JSON object');
    expect(problemOf('{"project": "x"}')).toContain('expected a "features" array');
    expect(problemOf('')).toContain('empty');
    expect(problemOf('{"features": [], "tasks": []}')).toContain('keep one of them');
    expect(problemOf(`${'['.repeat(5000)}${']'.repeat(5000)}`)).toContain('nested deeper');
  });
});

describe('a queue file being saved in place as it is read', () => {
  // CI (queue-cas, in-place): the run's first read caught an editor's save between its truncate and its
  // write ("the file is empty") and refused a valid queue.
  it('is read again while it changes, and refused only once it stands still invalid', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'al-inplace-'));
    try {
      const file = path.join(dir, 'work_queue_x.json');
      writeFileSync(file, '');
      const saver = spawn(process.execPath, ['-e', `setTimeout(() => require('fs').writeFileSync(${JSON.stringify(file)}, ${JSON.stringify(q([{ id: 'A', description: 'a' }]))}), 150)`]);
      const spawned = new Promise((resolve) => saver.on('spawn', resolve));
      const exited = new Promise((resolve) => saver.on('exit', resolve));
      await spawned;
      expect(loadQueue(file, defaults).tasks.map((t) => t.id)).toEqual(['A']);
      await exited;
      writeFileSync(file, '{"features": [');
      expect(() => loadQueue(file, defaults)).toThrow(/work_queue_x\.json/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
