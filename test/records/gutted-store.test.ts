import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { withStateDb } from '../helpers/state-db.js';
import { itSqliteOnly } from '../helpers/test-store.js';
import { makeWorkspace, removeWorkspaces, runCli, writeQueue } from '../helpers/workspace.js';

// Issue 19, item 4 of what was seen: a state.db whose rows were deleted was accepted. The store
// counts its rows and chains them; a gutted one is refused (exit 5) and `repair` restores it from
// the record files; `history --verify` names a row or a line edited in either place.

afterEach(removeWorkspaces);

/** A workspace with three decisions on record (three gated tasks approved), run to the end. */
function decidedWorkspace(): string {
  const ws = makeWorkspace();
  writeQueue(ws, 'shop', { features: ['A', 'B', 'C'].map((id) => ({ id, agent_type: 'noop', requires_approval: true })) });
  expect(runCli(['--project', 'shop'], { cwd: ws }).code).toBe(3);
  for (const id of ['A', 'B', 'C']) expect(runCli(['approve', id, '--project', 'shop', '--by', 'ana'], { cwd: ws }).code).toBe(0);
  expect(runCli(['--project', 'shop'], { cwd: ws }).code).toBe(0);
  return ws;
}

/** Statements run underneath the store (state.db, or the workspace's database under TEST_STORE=postgres). */
function sql(ws: string, statements: string): void {
  withStateDb(ws, (db) => {
    for (const statement of statements.split(';').map((x) => x.trim()).filter(Boolean)) db.prepare(statement).run();
  });
}

const decisionCount = (ws: string): number => JSON.parse(runCli(['history', '--decisions', '--json'], { cwd: ws }).stdout).decisions.length;

describe('a gutted store is refused', () => {
  it('rows deleted from state.db: status, history and a run refuse with exit 5; repair restores them from the files; verify holds again', { timeout: 180_000 }, () => {
    const ws = decidedWorkspace();
    expect(decisionCount(ws)).toBe(3);
    sql(ws, 'DELETE FROM decisions');
    for (const args of [['status', '--project', 'shop'], ['history', '--decisions'], ['--project', 'shop']]) {
      const r = runCli(args, { cwd: ws });
      expect(r.code, `${args.join(' ')}: ${r.stdout}${r.stderr}`).toBe(5);
      expect(r.stderr).toMatch(/3 of the 3 decisions row\(s\) it recorded are missing.*autonomous-loop repair/);
    }
    const repaired = runCli(['repair'], { cwd: ws });
    expect(repaired.code, repaired.stderr).toBe(0);
    expect(repaired.stdout).toContain('3 restored from decisions.jsonl');
    expect(decisionCount(ws)).toBe(3);
    const verify = runCli(['history', '--verify'], { cwd: ws });
    expect(verify.code, verify.stdout).toBe(0);
    expect(verify.stdout).toContain('records verified');
  });

  it('the counts wiped too: the records the files hold and the store does not still refuse it', { timeout: 180_000 }, () => {
    const ws = decidedWorkspace();
    sql(ws, 'DELETE FROM decisions; DELETE FROM record_counts; DELETE FROM projection_marks');
    const r = runCli(['status', '--project', 'shop'], { cwd: ws });
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('3 record(s) that decisions.jsonl holds are missing from it');
  });

  itSqliteOnly('the store is the file, deleted')('a repair killed after it created the new store leaves no gutted-but-accepted store', () => {
    const ws = decidedWorkspace();
    for (const suffix of ['', '-wal', '-shm']) rmSync(path.join(ws, '.aibrain', `state.db${suffix}`), { force: true });
    const cut = runCli(['repair'], { cwd: ws, env: { AUTONOMOUS_LOOP_CRASH_AT: 'repair:store-opened#1' } });
    expect(cut.code).toBeNull(); // SIGKILL
    const r = runCli(['status', '--project', 'shop'], { cwd: ws });
    expect(r.code, r.stdout + r.stderr).toBe(5);
    expect(runCli(['repair'], { cwd: ws }).code).toBe(0);
    expect(decisionCount(ws)).toBe(3);
  }, 180_000);
});

describe('history --verify', () => {
  it('names a decision row edited in the database, and a line edited in decisions.jsonl', { timeout: 240_000 }, () => {
    const ws = decidedWorkspace();
    expect(runCli(['history', '--verify'], { cwd: ws }).code).toBe(0);
    sql(ws, `UPDATE decisions SET record = replace(record, '"by":"ana"', '"by":"eve"') WHERE seq = 2`);
    const r = runCli(['history', '--verify'], { cwd: ws });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/(?:state\.db|the state database \S+) decisions row 2 \(id [^)]+\): does not match its chain/);
    expect(r.stdout).toMatch(/decisions\.jsonl line 2 .*the row was edited in the database/);

    const other = decidedWorkspace();
    const file = path.join(other, '.aibrain', 'decisions.jsonl');
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[0] = lines[0]!.replace('"by":"ana"', '"by":"eve"');
    writeFileSync(file, lines.join('\n'));
    const edited = runCli(['history', '--verify', '--json'], { cwd: other });
    expect(edited.code).toBe(1);
    const out = JSON.parse(edited.stdout);
    expect(out.ok).toBe(false);
    expect(out.problems).toEqual([expect.stringMatching(/^decisions\.jsonl line 1 \(id [^)]+\): differs from (?:state\.db|the state database \S+) \(edited in the file\)$/)]);
  });
});
