import { describe, expect, it } from 'vitest';
import { findPromise } from '../../src/engine/find-promise.js';

describe('finding the promise', () => {
  it('matches exactly, whitespace-normalised and case-sensitive', () => {
    expect(findPromise('done\n<promise>ALL  TESTS\n PASS</promise>\n', 'ALL TESTS PASS')).toBe(true);
    expect(findPromise('<promise>all tests pass</promise>', 'ALL TESTS PASS')).toBe(false);
    expect(findPromise('<promise>ALL TESTS PASS!</promise>', 'ALL TESTS PASS')).toBe(false);
    expect(findPromise('ALL TESTS PASS', 'ALL TESTS PASS')).toBe(false);
    expect(findPromise('<promise>NO</promise> then <promise>DONE</promise>', 'DONE')).toBe(true);
  });

  it('does not count a promise that only echoes the prompt back', () => {
    const prompt = 'Fix the bug. When finished print <promise>DONE</promise>.';
    expect(findPromise(`You asked: ${prompt}`, 'DONE', prompt)).toBe(false);
    expect(findPromise(`You asked: ${prompt}\nFixed.\n<promise>DONE</promise>`, 'DONE', prompt)).toBe(true);
    expect(findPromise('<promise>DONE</promise>', 'DONE', prompt)).toBe(true);
  });
});
