import { afterEach, describe, expect, it } from 'vitest';
import { runCommand, trackProcesses } from '../../src/agents/run-command.js';

// Found by the PostgreSQL harness (npm run test:pg): the process tracker records each command in
// the store before its output was listened to; with PostgreSQL that is a round trip, and a quick
// command's whole output was lost (git rev-parse read as empty with exit 0: the approval subject's
// project folder copied as if it were the index, EISDIR). A tracker as slow as a busy database.

afterEach(() => trackProcesses(undefined));

describe('a command whose start is recorded slowly', () => {
  it('keeps all of its output', async () => {
    const seen: number[] = [];
    trackProcesses({
      started: async (pid) => {
        seen.push(pid);
        await new Promise((r) => setTimeout(r, 400));
      },
      ended: async () => undefined,
    });
    for (let i = 0; i < 3; i++) {
      const r = await runCommand({ argv: [process.execPath, '-e', "process.stdout.write('first\\nsecond\\n'); process.stderr.write('err\\n')"], cwd: process.cwd(), timeoutMs: 30_000 });
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toBe('first\nsecond\n');
      expect(r.output).toContain('err');
    }
    expect(seen).toHaveLength(3);
  });
});
