import { afterEach, expect } from 'vitest';
import { openStoreCount } from '../src/state/open-store.js';

// A test that leaves a child process or a state store open fails: leaks hide real bugs.
afterEach(async () => {
  let children = 0;
  for (let i = 0; i < 40; i++) {
    children = process.getActiveResourcesInfo().filter((r) => r === 'ProcessWrap').length;
    if (children === 0) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(children, 'child processes left running by the test').toBe(0);
  expect(openStoreCount(), 'state stores left open by the test').toBe(0);
});
