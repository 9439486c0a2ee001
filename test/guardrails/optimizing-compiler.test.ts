import { describe, expect, it } from 'vitest';
import { noteTextToScan, optimizingCompilerOff, startWithoutOptimizingCompiler } from '../../src/guardrails/optimizing-compiler.js';

// The scan CLI starts V8 without its optimizing compiler (a short scan ends before it pays) and
// turns it back on once a megabyte of text is to be read. Timing is the bench's (bench:scan); this
// checks the switch.
describe('optimizing compiler for a short scan', () => {
  it('is left alone where no one turned it off, and comes back once a megabyte is to be read', () => {
    noteTextToScan(5 * 1024 * 1024);
    expect(optimizingCompilerOff()).toBe(false); // a process that never asked (the engine, a test) keeps it
    startWithoutOptimizingCompiler();
    expect(optimizingCompilerOff()).toBe(true);
    noteTextToScan(600 * 1024);
    noteTextToScan(400 * 1024);
    expect(optimizingCompilerOff()).toBe(true); // 1,000 KB: not yet
    noteTextToScan(30 * 1024);
    expect(optimizingCompilerOff()).toBe(false);
  });
});
