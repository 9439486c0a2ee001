import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../helpers/postgres.js';
import { makeWorkspace, removeWorkspaces, runCli, writeQueue } from '../helpers/workspace.js';

afterAll(removeWorkspaces);

const queue = { features: [{ id: 'A', agent_type: 'noop' }, { id: 'B', agent_type: 'noop', depends_on: ['A'] }] };

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 1));
    });
  });
}

describe('the loop on PostgreSQL (--database-url, AUTONOMOUS_LOOP_DATABASE_URL)', () => {
  it('runs a queue with its state in the database: nothing in .aibrain/state.db; status and db status read it', async () => {
    const ws = makeWorkspace();
    writeQueue(ws, 'p', queue);
    const url = await freshDatabase();
    const run = runCli(['--project', 'p', '--database-url', url], { cwd: ws });
    expect(run.code, run.stderr).toBe(0);
    expect(existsSync(path.join(ws, '.aibrain', 'state.db'))).toBe(false);
    const status = runCli(['status', '--project', 'p', '--json'], { cwd: ws, env: { AUTONOMOUS_LOOP_DATABASE_URL: url } });
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).tasks.map((t: { status: string }) => t.status)).toEqual(['complete', 'complete']);
    const db = runCli(['db', 'status', '--database-url', url], { cwd: ws });
    expect(db.code, db.stderr).toBe(0);
    expect(db.stdout).toMatch(/store: postgres postgres:\/\/loop:\*\*\*@127\.0\.0\.1/);
    expect(db.stdout).toContain('applied  001_init.sql');
    expect(db.stdout).not.toContain(new URL(url).password);
  });

  it('records a decision in the database with its chain link; history --verify checks it and names a row edited there', async () => {
    const ws = makeWorkspace();
    writeQueue(ws, 'p', queue);
    const url = await freshDatabase();
    const env = { AUTONOMOUS_LOOP_DATABASE_URL: url };
    expect(runCli(['db', 'migrate'], { cwd: ws, env }).stdout).toMatch(/applied .*003_record_chain.sql, 004_provisioning.sql/);
    const sql = async (text: string): Promise<void> => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(text);
      } finally {
        await client.end();
      }
    };
    // A loop on another host holds the project: `unlock --force` removes it and records a decision.
    await sql(`INSERT INTO autonomous_loop.locks (project, pid, host, since, run_id) VALUES ('p', 4242, 'elsewhere', '2026-01-01T00:00:00Z', 'run-x')`);
    const unlock = runCli(['unlock', '--project', 'p', '--force', '--by', 'ana'], { cwd: ws, env });
    expect(unlock.code, unlock.stderr).toBe(0);
    const verified = runCli(['history', '--verify'], { cwd: ws, env });
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    expect(verified.stdout).toContain('records verified');
    await sql(`UPDATE autonomous_loop.decisions SET record = replace(record, '"ana"', '"eve"')`);
    const broken = runCli(['history', '--verify'], { cwd: ws, env });
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/decisions row 1 \(id [^)]+\): does not match its chain/);
    // The database is named as the database (its password redacted), never as state.db.
    expect(broken.stdout).toMatch(/the state database postgres:\/\/loop:\*\*\*@127\.0\.0\.1:\d+\/t_\w+ decisions row 1/);
    expect(broken.stdout + broken.stderr).not.toContain('state.db');
    expect(broken.stdout + broken.stderr).not.toContain(new URL(url).password);
  });

  it('db migrate applies the schema once; db status shows what is pending first', async () => {
    const ws = makeWorkspace();
    const url = await freshDatabase();
    expect(runCli(['db', 'status'], { cwd: ws, env: { AUTONOMOUS_LOOP_DATABASE_URL: url } }).stdout).toContain('pending  001_init.sql');
    const first = runCli(['db', 'migrate'], { cwd: ws, env: { AUTONOMOUS_LOOP_DATABASE_URL: url } });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('applied 001_init.sql');
    expect(runCli(['db', 'migrate'], { cwd: ws, env: { AUTONOMOUS_LOOP_DATABASE_URL: url } }).stdout).toContain('up to date');
  });

  it('a database that cannot be reached: one line, exit 5, the password never shown, nothing written', async () => {
    const ws = makeWorkspace();
    writeQueue(ws, 'p', queue);
    const port = await closedPort();
    const r = runCli(['--project', 'p', '--database-url', `postgres://loop:hunter2-secret@127.0.0.1:${port}/loop`], { cwd: ws });
    expect(r.code).toBe(5);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('cannot reach the state database');
    expect(r.stderr).toContain('postgres://loop:***@127.0.0.1');
    expect(r.stdout + r.stderr).not.toContain('hunter2-secret');
    expect(existsSync(path.join(ws, '.aibrain'))).toBe(false);
  });

  it('a wrong password, a URL that is not postgres, a database of a newer schema: one line each', async () => {
    const ws = makeWorkspace();
    writeQueue(ws, 'p', queue);
    const url = new URL(await freshDatabase());
    url.password = 'not-the-password';
    const refused = runCli(['status', '--project', 'p'], { cwd: ws, env: { AUTONOMOUS_LOOP_DATABASE_URL: url.toString() } });
    expect(refused.code).toBe(5);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toContain('refused the login');
    expect(refused.stderr).not.toContain('not-the-password');

    const bad = runCli(['status', '--project', 'p'], { cwd: ws, env: { AUTONOMOUS_LOOP_DATABASE_URL: 'mysql://root:pw-secret@localhost/x' } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('expected postgres://');
    expect(bad.stderr).not.toContain('pw-secret');

    const newer = await freshDatabase();
    expect(runCli(['db', 'migrate'], { cwd: ws, env: { AUTONOMOUS_LOOP_DATABASE_URL: newer } }).code).toBe(0);
    const client = new pg.Client({ connectionString: newer });
    await client.connect();
    await client.query(`INSERT INTO autonomous_loop.schema_migrations (version, name) VALUES (999, '999_future.sql')`);
    await client.end();
    const r = runCli(['--project', 'p'], { cwd: ws, env: { AUTONOMOUS_LOOP_DATABASE_URL: newer } });
    expect(r.code).toBe(5);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('newer than this autonomous-loop knows (migration 999)');
    expect(r.stderr).not.toContain(new URL(newer).password);
  });
});
