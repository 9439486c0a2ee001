import { afterEach, describe, expect, it } from 'vitest';
import { makeWorkspace, removeWorkspaces, runCli, writeQueue } from '../helpers/workspace.js';
import { createToken, startTestConsole, writeContract } from './console-helpers.js';

afterEach(removeWorkspaces);

// Logs in over real HTTP as a browser would: the login form's CSRF cookie and field, then the session cookie.
async function logIn(base: string, token: string): Promise<{ status: number; cookie: string }> {
  const form = await fetch(`${base}/login`);
  const loginCookie = (form.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
  const r = await fetch(`${base}/login`, { method: 'POST', redirect: 'manual', headers: { cookie: loginCookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: csrf, token }) });
  return { status: r.status, cookie: (r.headers.getSetCookie().find((c) => c.startsWith('al_session=')) ?? '').split(';')[0] ?? '' };
}

describe('console tokens', () => {
  it('token create shows the token once and keeps only its hash; list shows no token; revoke ends its sessions', async () => {
    const ws = makeWorkspace();
    writeContract(ws, ['ana']);
    writeQueue(ws, 'shop', { project: 'shop', features: [{ id: 'A', agent_type: 'noop' }] });
    const created = runCli(['token', 'create', '--for', 'ana'], { cwd: ws });
    expect(created.code).toBe(0);
    const token = /^(alc_[0-9a-f]{12}_\S{43})$/m.exec(created.stdout)?.[1] ?? '';
    expect(token).not.toBe('');
    expect(created.stdout).toContain('shown only this once');
    const listed = runCli(['token', 'list', '--json'], { cwd: ws });
    expect(listed.stdout).not.toContain(token.slice(17));
    const rows = JSON.parse(listed.stdout).tokens as { id: string; person: string; revoked_at: string | null }[];
    expect(rows).toMatchObject([{ person: 'ana', revoked_at: null }]);
    expect(runCli(['token', 'create', '--for', 'ana; rm -rf /'], { cwd: ws })).toMatchObject({ code: 2 });
    expect(runCli(['token', 'revoke', 'zz'], { cwd: ws }).code).toBe(2);

    const console_ = await startTestConsole(ws);
    try {
      const session = await logIn(console_.url, token);
      expect(session.status).toBe(303);
      expect((await fetch(`${console_.url}/projects/shop`, { headers: { cookie: session.cookie }, redirect: 'manual' })).status).toBe(200);
      const revoked = runCli(['token', 'revoke', rows[0]?.id.slice(0, 6) ?? ''], { cwd: ws });
      expect(revoked.stdout).toContain(`revoked token ${rows[0]?.id} of ana`);
      await new Promise((r) => setTimeout(r, 5200)); // the console looks at revocations every 5 s
      expect((await fetch(`${console_.url}/projects/shop`, { headers: { cookie: session.cookie }, redirect: 'manual' })).status).toBe(303);
      expect((await logIn(console_.url, token)).status).toBe(401);
      expect(JSON.parse(runCli(['token', 'list', '--json'], { cwd: ws }).stdout).tokens[0].revoked_at).toMatch(/^\d{4}-/);
      // A second person's token still works.
      expect((await logIn(console_.url, createToken(ws, 'bob'))).status).toBe(303);
    } finally {
      await console_.close();
    }
  });
});
