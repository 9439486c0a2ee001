import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { withStateDb } from '../helpers/state-db.js';
import { expectEveryKillRecovered, formatTable, killAndResume, tracePoints, type KillPointOutcome, type Steps } from '../helpers/fault-table.js';
import { makeWorkspace, nodeTask, removeWorkspaces, runCli, writeQueue } from '../helpers/workspace.js';

afterAll(removeWorkspaces);

// The cascade of the seed with real agent processes: dev, then staging (first time: --yes), then
// production (a person approves), then a task after it.
function cascadeWorkspace(): { ws: string; log: string } {
  const ws = makeWorkspace();
  const log = path.join(ws, 'agent.log');
  writeFileSync(log, '');
  writeQueue(ws, 'shop', {
    project: 'shop',
    features: [
      nodeTask('DEPLOY-DEV-001', 'slow-steps.mjs', { environment: 'development', version: '1.0.0' }, [log, '5']),
      nodeTask('DEPLOY-STAGING-001', 'slow-steps.mjs', { environment: 'staging', version: '1.0.0', depends_on: ['DEPLOY-DEV-001'] }, [log, '5']),
      nodeTask('DEPLOY-PROD-001', 'slow-steps.mjs', { environment: 'production', version: '1.0.0', depends_on: ['DEPLOY-STAGING-001'], requires_approval: true }, [log, '5']),
      nodeTask('ANNOUNCE', 'slow-steps.mjs', { depends_on: ['DEPLOY-PROD-001'] }, [log, '5']),
    ],
  });
  return { ws, log };
}

// Run (stops at production), approve, run again: a crash in any of the three is resumed by
// running the whole sequence again.
const steps =
  (ws: string): Steps =>
  (env) => {
    const out = [runCli(['--project', 'shop', '--yes'], { cwd: ws, env: env(0) })];
    if (out[0]!.code === 3 || out[0]!.code === null) {
      out.push(runCli(['approve', 'DEPLOY-PROD-001', '--project', 'shop', '--by', 'ops'], { cwd: ws, env: env(1) }));
      out.push(runCli(['--project', 'shop'], { cwd: ws, env: env(2) }));
    }
    return out;
  };

/** Every kind of point at its first and last passing (FULL_FAULT_TABLE=1: every passing). */
function sample(points: string[]): string[] {
  const byName = new Map<string, string[]>();
  for (const p of points) {
    const name = p.slice(0, p.lastIndexOf('#')); // `<command>:<point>`
    byName.set(name, [...(byName.get(name) ?? []), p]);
  }
  return [...byName.values()].flatMap((list) => [...new Set([list[0]!, list[list.length - 1]!])]);
}

function cutIterations(ws: string, task: string): number {
  return withStateDb(ws, (db) => (db.prepare(`SELECT COUNT(*) AS n FROM iterations WHERE project = 'shop' AND task_id = ? AND state = 'interrupted'`).get(task) as { n: number }).n);
}

describe('kill -9 at every step boundary of the cascade', () => {
  const rows: KillPointOutcome[] = [];
  afterAll(() => process.stdout.write(`\n${formatTable(rows)}\n`));

  it('finishes, never repeats a completed iteration, and loses or duplicates no record', () => {
    const clean = cascadeWorkspace();
    const traced = tracePoints(clean.ws, steps(clean.ws));
    expect(traced.length).toBeGreaterThan(20);
    const points = process.env.FULL_FAULT_TABLE ? traced : sample(traced);
    for (const point of points) {
      const { ws, log } = cascadeWorkspace();
      const outcome = killAndResume(ws, point, steps(ws), 'shop');
      const ends = readFileSync(log, 'utf8').trim().split('\n').filter((l) => l.startsWith('end'));
      for (const task of ['DEPLOY-DEV-001', 'DEPLOY-STAGING-001', 'DEPLOY-PROD-001', 'ANNOUNCE']) {
        const n = ends.filter((l) => l.startsWith(`end ${task} `)).length;
        // An iteration the loop died in may run again (command agents are safe to redo); one whose
        // end was recorded never does.
        const cut = cutIterations(ws, task);
        if (n < 1 || n > 1 + cut) outcome.problems.push(`${task} ran to its end ${n} times (${cut} iteration(s) cut off)`);
      }
      rows.push(outcome);
    }
    expectEveryKillRecovered(rows);
  }, 600_000);
});
