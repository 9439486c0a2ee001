import { afterEach, describe, expect, it } from 'vitest';
import { makeWorkspace, readDecisions, removeWorkspaces, runCli, writeQueue } from '../helpers/workspace.js';
import { freshDatabase } from '../helpers/postgres.js';
import { launchBrowser, logIn, startTestConsole, writeContract } from './console-helpers.js';

afterEach(() => {
  delete process.env.AUTONOMOUS_LOOP_DATABASE_URL;
  removeWorkspaces();
});

// The console runs on the machine (and as the OS user) that starts the runs. With
// prevent_self_approval, a decision there is the logged-in person's, not the server's OS user's:
// ana's approval from the page holds for a run started by another OS user, and is recorded as hers.
describe('prevent_self_approval at the console, over SQLite and over PostgreSQL', () => {
  it.each(['sqlite', 'postgres'])("ana's approval from the page holds for a run the server's OS user starts; the record names console:ana (%s)", async (store) => {
    // The console in this process and every CLI below share the store: the database URL in the
    // environment (as the README says) for PostgreSQL, the workspace's state.db otherwise.
    const env: Record<string, string> = store === 'postgres' ? { AUTONOMOUS_LOOP_DATABASE_URL: await freshDatabase() } : {};
    Object.assign(process.env, env);
    const ws = makeWorkspace();
    writeContract(ws, ['ana'], (y) => `${y}\nprevent_self_approval: true\n`);
    writeQueue(ws, 'shop', { project: 'shop', features: [{ id: 'PROD-1', agent_type: 'noop', environment: 'production', version: '1.0.0' }] });
    expect(runCli(['--project', 'shop', '--non-interactive'], { cwd: ws, env }).code).toBe(3);
    const made = runCli(['token', 'create', '--for', 'ana', '--json'], { cwd: ws, env });
    const token = (JSON.parse(made.stdout) as { token: string }).token;
    const console_ = await startTestConsole(ws);
    const browser = await launchBrowser();
    try {
      const page = await (await browser.newContext()).newPage();
      await logIn(page, console_.url, token);
      await page.goto(`${console_.url}/projects/shop/tasks/PROD-1/gate`);
      await Promise.all([page.waitForLoadState('load'), page.locator('form.decide-approve button[type=submit]').click()]);
      await page.waitForURL(/tasks\/PROD-1$/);
    } finally {
      await browser.close();
      await console_.close();
    }
    expect(readDecisions(ws).map((d) => [d.decision, d.by, d.os_user])).toEqual([['approve', 'ana', 'console:ana']]);
    const run = runCli(['--project', 'shop', '--non-interactive'], { cwd: ws, env });
    expect({ code: run.code, out: run.stdout.includes('prevent_self_approval') }).toEqual({ code: 0, out: false });
  });
});
