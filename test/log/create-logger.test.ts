import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runLoop } from '../../src/engine/run-loop.js';
import { stateBytes } from '../helpers/state-db.js';
import { makeWorkspace, removeWorkspaces, writeQueue } from '../helpers/workspace.js';

afterEach(removeWorkspaces);

describe('logs', () => {
  it('carry run_id and task_id on every line and never a secret', async () => {
    const ws = makeWorkspace();
    const secret = 'pw-0123456789-abcdef';
    process.env.SERVICE_PASSWORD = secret;
    process.env.DATABASE_URL = 'postgres://app:s3cr3t-db-pass@localhost/app';
    try {
      writeQueue(ws, 'p', {
        features: [
          { id: 'LEAK', agent_type: 'command', max_iterations: 1, command: [process.execPath, '-e', 'console.error("login with " + process.env.SERVICE_PASSWORD + " " + process.env.DATABASE_URL); process.exit(1)'] },
        ],
      });
      const summary = await runLoop({ root: ws, project: 'p' });
      expect(summary.tasks[0]!.lastError).toContain('[REDACTED]');
      const log = readFileSync(path.join(ws, '.aibrain', 'logs', 'p.jsonl'), 'utf8');
      const lines = log.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.length).toBeGreaterThan(3);
      for (const line of lines) {
        expect(line.run_id).toBe(summary.runId);
        expect(line).toHaveProperty('task_id');
      }
      expect(lines.some((l) => l.task_id === 'LEAK')).toBe(true);
      expect(log).not.toContain(secret);
      expect(log).not.toContain('s3cr3t-db-pass');
      expect(stateBytes(ws).includes(Buffer.from(secret))).toBe(false);
    } finally {
      delete process.env.SERVICE_PASSWORD;
      delete process.env.DATABASE_URL;
    }
  });
});
