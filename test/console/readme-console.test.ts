import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeWorkspace, removeWorkspaces, repoRoot, runCli, startCli, waitFor } from '../helpers/workspace.js';

afterEach(removeWorkspaces);

/** The fenced sh block of a README section. */
function readmeBlock(heading: string): string {
  const text = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const start = text.indexOf(`\n${heading}\n`);
  const end = text.indexOf('\n## ', start + heading.length + 2);
  return /```sh\n([\s\S]*?)```/.exec(text.slice(start, end))?.[1] ?? '';
}

describe("the README's 'Approving from anywhere', run as written (doc test)", () => {
  it('init, token create, token list, then serve: it says where it listens and the token logs in', async () => {
    const ws = makeWorkspace();
    const lines = readmeBlock('## Approving from anywhere').split('\n').map((l) => l.split(/\s+#\s/)[0]?.trim() ?? '').filter(Boolean);
    expect(lines.map((l) => l.split(' ').slice(0, 3).join(' '))).toEqual(['autonomous-loop init --project', 'autonomous-loop token create', 'autonomous-loop token list', 'autonomous-loop serve --port']);
    let token = '';
    for (const line of lines.slice(0, 3)) {
      const r = runCli(line.split(' ').slice(1), { cwd: ws });
      expect({ line, code: r.code, err: r.stderr }).toEqual({ line, code: 0, err: '' });
      token ||= /^(alc_\S+)$/m.exec(r.stdout)?.[1] ?? '';
      if (line.includes('token list')) expect(r.stdout).toMatch(/^[0-9a-f]{12} {2}ana /m);
    }
    expect(token).toMatch(/^alc_/);
    // serve as written, on a free port (the README's 8080 may be taken where the tests run).
    const serve = startCli(lines[3]!.split(' ').slice(1).map((w) => (w === '8080' ? '0' : w)), { cwd: ws });
    try {
      await waitFor(() => /console listening on http:\/\/127\.0\.0\.1:\d+/.test(serve.output()), 30_000, 'serve to say where it listens');
      const url = /console listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(serve.output())?.[1] ?? '';
      const form = await fetch(`${url}/login`);
      const cookie = (form.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
      const login = await fetch(`${url}/login`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: csrf, token }) });
      expect(login.status).toBe(303);
      const session = (login.headers.getSetCookie().find((c) => c.startsWith('al_session=')) ?? '').split(';')[0] ?? '';
      expect(await (await fetch(`${url}/`, { headers: { cookie: session } })).text()).toContain('href="/projects/shop"');
    } finally {
      serve.kill('SIGINT');
      expect(await serve.exited).toBe(0);
    }
    expect(serve.output()).toContain('console stopped');
  });
});
