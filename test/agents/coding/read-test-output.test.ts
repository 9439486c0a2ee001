import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTestOutput } from '../../../src/agents/coding/read-test-output.js';
import { repoRoot } from '../../helpers/workspace.js';

// Outputs captured from the real runners (node 20 --test, vitest 4, pytest 9) on a suite where
// `adds` fails and `subtracts` passes.
const sample = (name: string): string => readFileSync(path.join(repoRoot, 'test', 'fixtures', 'test-output', name), 'utf8');

describe('reading test output (the verify gate)', () => {
  it('TAP from node --test: leaf counts, the failing test, its error lines; a suite failing for its subtests names nothing new', () => {
    const r = readTestOutput(sample('node-test.tap'));
    expect(r).toMatchObject({ format: 'tap', passed: 2, failed: 1 });
    expect(r.failures.map((f) => f.name)).toEqual(['adds']);
    expect(r.failures[0]?.detail).toBe('Expected values to be strictly equal: 2 !== 3\nexpected: 3\nactual: 2');
  });

  it('JUnit XML', () => {
    const r = readTestOutput(sample('node-test.junit.xml'));
    expect(r).toMatchObject({ format: 'junit', failed: 1 });
    expect(r.failures[0]).toMatchObject({ name: 'test › adds', detail: 'Expected values to be strictly equal:2 !== 3' });
  });

  it('vitest', () => {
    const r = readTestOutput(sample('vitest.txt'));
    expect(r).toMatchObject({ format: 'vitest', passed: 1, failed: 1 });
    expect(r.failures).toEqual([{ name: 'v.test.mjs › math › adds', detail: 'AssertionError: expected 2 to be 3 // Object.is equality' }]);
  });

  it('pytest, quiet and full', () => {
    for (const name of ['pytest.txt', 'pytest-full.txt']) {
      const r = readTestOutput(sample(name));
      expect(r, name).toMatchObject({ format: 'pytest', passed: 1, failed: 1 });
      expect(r.failures, name).toEqual([{ name: 'test_x.py › test_adds', detail: 'assert (1 + 1) == 3' }]);
    }
  });

  it('jest', () => {
    const jest = ' FAIL  test/x.test.js\n  math\n    ✕ adds (3 ms)\n    ✓ subtracts\n\n  ● math › adds\n\n    expect(received).toBe(expected) // Object.is equality\n\n    Expected: 3\n    Received: 2\n\nTests:       1 failed, 1 passed, 2 total\n';
    const r = readTestOutput(jest);
    expect(r).toMatchObject({ format: 'jest', passed: 1, failed: 1 });
    expect(r.failures).toEqual([{ name: 'math › adds', detail: 'expect(received).toBe(expected) // Object.is equality' }]);
  });

  it('anything else is not read', () => {
    expect(readTestOutput('Error: lint failed\n3 problems')).toEqual({ format: null, passed: null, failed: null, failures: [] });
  });
});
