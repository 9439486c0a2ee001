import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { freshDatabase } from '../helpers/postgres.js';
import { makeWorkspace, readJson, removeWorkspaces, runCli, writeQueue } from '../helpers/workspace.js';
import { createToken, startTestConsole, writeContract } from './console-helpers.js';

afterEach(() => {
  delete process.env.AUTONOMOUS_LOOP_DATABASE_URL;
  removeWorkspaces();
});

type Task = { id: string; description?: string; [k: string]: unknown };
function edit(file: string, change: (tasks: Task[]) => void): void {
  const queue = readJson(file);
  change(queue.features);
  writeFileSync(file, `${JSON.stringify(queue, null, 2)}\n`);
}

// Over real HTTP as a browser would: the login form's CSRF cookie and field, then the session cookie.
async function logIn(base: string, token: string): Promise<string> {
  const form = await fetch(`${base}/login`);
  const loginCookie = (form.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
  const r = await fetch(`${base}/login`, { method: 'POST', redirect: 'manual', headers: { cookie: loginCookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: csrf, token }) });
  return (r.headers.getSetCookie().find((c) => c.startsWith('al_session=')) ?? '').split(';')[0] ?? '';
}

// Several machines, one database: the console on machine A shows what `status` there shows — the
// tasks added on B (not in A's file) and the machines' files that disagree on a definition.
describe('the console on one of several machines', () => {
  it("lists the tasks added on another machine and names the queue conflicts between machines' files, as status does", async () => {
    const env = { AUTONOMOUS_LOOP_DATABASE_URL: await freshDatabase() };
    Object.assign(process.env, env);
    const queue = { features: [{ id: 'T1', agent_type: 'noop', description: 'one' }] };
    const a = makeWorkspace();
    const b = makeWorkspace();
    const fileA = writeQueue(a, 'p', queue);
    const fileB = writeQueue(b, 'p', queue);
    writeContract(a, ['ana']);
    for (const ws of [a, b]) expect(runCli(['push', '--project', 'p'], { cwd: ws, env }).code).toBe(0);
    edit(fileB, (tasks) => {
      tasks.push({ id: 'NEW', agent_type: 'noop', description: 'added on B', requires_approval: ['look first'] });
      tasks[0]!.description = 'one, as B says';
    });
    expect(runCli(['push', '--project', 'p'], { cwd: b, env }).code).toBe(0);
    edit(fileA, (tasks) => void (tasks[0]!.description = 'one, as A says'));
    expect(runCli(['push', '--project', 'p'], { cwd: a, env }).stdout).toMatch(/conflict: T1/);
    expect(runCli(['--project', 'p', '--non-interactive'], { cwd: b, env }).code).toBe(3); // NEW waits at its gate

    const token = createToken(a, 'ana');
    const console_ = await startTestConsole(a);
    try {
      const cookie = await logIn(console_.url, token);
      const page = await (await fetch(`${console_.url}/projects/p`, { headers: { cookie } })).text();
      const statusOnA = runCli(['status', '--project', 'p', '--no-probe'], { cwd: a, env }).stdout;
      const conflict = /^ {2}! (T1: .*)$/m.exec(statusOnA)?.[1] ?? '(status names no conflict)';
      expect(page).toContain('Queue conflicts between machines');
      expect(page).toMatch(/<li data-conflict="T1">T1: the queue files of several machines disagree on its definition \(description\)/);
      // The same words; the console's push command names the workspace (a person reads it away from the folder).
      expect(page.replaceAll('&#39;', "'").replace(` --root ${a}`, '')).toContain(conflict);
      expect(page).toContain("Added on another machine: not in this machine's file");
      expect(page).toMatch(/<tr data-task="NEW"><td>NEW<\/td><td><span class="status status-awaiting_approval">awaiting_approval<\/span>/);
      const gates = await (await fetch(`${console_.url}/projects/p/gates`, { headers: { cookie } })).text();
      expect(gates).toMatch(/<tr data-task="NEW"><td>NEW <small>added on another machine: decided where a queue file has it<\/small><\/td><td><span class="status status-awaiting_approval">awaiting_approval<\/span><\/td><td>look first<\/td>/);
    } finally {
      await console_.close();
    }
    // What the page says: A, whose file lacks NEW, cannot decide it (and says why); B, whose file has it, can.
    const onA = runCli(['approve', 'NEW', '--project', 'p', '--by', 'ana'], { cwd: a, env });
    expect({ code: onA.code, stderr: onA.stderr }).toMatchObject({ code: 2, stderr: expect.stringContaining("NEW was added on another machine and is not in this machine's file: decide it on a machine whose file has it") });
    const onB = runCli(['approve', 'NEW', '--project', 'p', '--by', 'ana'], { cwd: b, env });
    expect(onB.code, onB.stderr).toBe(0);
    expect(runCli(['--project', 'p', '--non-interactive'], { cwd: b, env }).code).toBe(0);
  }, 120_000);
});
