import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/create-logger.js';
import { projectLogBudget } from '../../src/log/project-log-file.js';
import { runLoop } from '../../src/engine/run-loop.js';
import { makeWorkspace, removeWorkspaces, writeQueue } from '../helpers/workspace.js';

afterEach(removeWorkspaces);

// Issue 19, bounded output: the pino log `.aibrain/logs/<project>.jsonl` keeps the contract's
// logs.keep_runs runs and stays within its share of logs.max_bytes, rotating into <project>.1.jsonl.

const runsIn = (file: string): string[] =>
  existsSync(file)
    ? [
        ...new Set(
          readFileSync(file, 'utf8')
            .trim()
            .split('\n')
            .filter(Boolean)
            .map((l) => (JSON.parse(l) as { run_id: string }).run_id),
        ),
      ]
    : [];

describe('the project log', () => {
  it('keeps the lines of the newest logs.keep_runs runs only', async () => {
    const ws = makeWorkspace();
    mkdirSync(path.join(ws, 'governance', 'contracts'), { recursive: true });
    writeFileSync(
      path.join(ws, 'governance', 'contracts', 'operator-team.yaml'),
      'version: 1\nenvironments:\n  development: { auto_deploy: true, auto_rollback: true, approval: never }\n  staging: { auto_deploy: true, auto_rollback: true, approval: first-time }\n  production: { auto_deploy: false, auto_rollback: false, approval: always }\nlogs: { keep_runs: 2, max_bytes: 1048576 }\n',
    );
    const ids: string[] = [];
    for (let run = 1; run <= 4; run++) {
      writeQueue(ws, 'p', { features: [{ id: `T${run}`, agent_type: 'noop', completion_promise: 'DONE' }] });
      ids.push((await runLoop({ root: ws, project: 'p' })).runId);
    }
    const file = path.join(ws, '.aibrain', 'logs', 'p.jsonl');
    expect([...runsIn(path.join(ws, '.aibrain', 'logs', 'p.1.jsonl')), ...runsIn(file)]).toEqual(ids.slice(-2));
  });

  it('stays within its byte budget however much one run logs, the newest lines kept', () => {
    const ws = makeWorkspace();
    const logs = path.join(ws, '.aibrain', 'logs');
    const retention = { keepRuns: 20, maxBytes: 1024 * 1024 };
    const budget = projectLogBudget(retention);
    const log = createLogger(logs, 'p', 'run-1', 'info', undefined, retention);
    for (let i = 0; i < 20_000; i++) log.info({ i, filler: 'x'.repeat(200) }, 'a line');
    log.info('the last line');
    const file = path.join(logs, 'p.jsonl');
    const rotated = path.join(logs, 'p.1.jsonl');
    const total = statSync(file).size + (existsSync(rotated) ? statSync(rotated).size : 0);
    // 20,000 lines of ~300 bytes is ~6 MB: without a cap it all stays
    expect(total).toBeLessThanOrEqual(budget);
    expect(total).toBeGreaterThan(budget / 4);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect((JSON.parse(lines.at(-1)!) as { msg: string }).msg).toBe('the last line');
    for (const l of readFileSync(rotated, 'utf8').trim().split('\n')) expect(() => JSON.parse(l)).not.toThrow();
  });
});
