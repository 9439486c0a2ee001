import { afterEach, describe, expect, it } from 'vitest';
import { makeWorkspace, removeWorkspaces, writeQueue } from '../helpers/workspace.js';
import { createToken, launchBrowser, logIn, screenshotPath, startTestConsole, writeContract } from './console-helpers.js';

afterEach(removeWorkspaces);

const ESC = '\u001b';
// A task description that is markup and terminal control sequences: shown as text, never obeyed.
const HOSTILE = `<script>window.__owned = 1</script><img src=x onerror="window.__owned = 2"> ${ESC}]52;c;ZXZpbA==${ESC}\\ ${ESC}[2J${ESC}[31mred`;

function productionQueue(ws: string): void {
  writeQueue(ws, 'shop', {
    project: 'shop',
    features: [
      { id: 'PROD-1', description: HOSTILE, agent_type: 'noop', environment: 'production', version: '1.0.0', status: 'awaiting_approval', requires_approval: true },
      { id: 'NOTE-1', description: 'plain', agent_type: 'noop' },
    ],
  });
}

describe('the console: who may do what', () => {
  it('a non-approver sees no approve button and a forged approval POST is refused (403); a POST without the CSRF token is refused (403)', async () => {
    const ws = makeWorkspace();
    writeContract(ws, ['ana']);
    productionQueue(ws);
    const anaToken = createToken(ws, 'ana');
    const bobToken = createToken(ws, 'bob');
    const console_ = await startTestConsole(ws);
    const browser = await launchBrowser();
    try {
      const bob = await (await browser.newContext()).newPage();
      await logIn(bob, console_.url, bobToken);
      await bob.goto(`${console_.url}/projects/shop/tasks/PROD-1/gate`);
      await bob.screenshot({ path: screenshotPath('gate-non-approver'), fullPage: true });
      expect(await bob.locator('form.decide-approve').count()).toBe(0);
      expect(await bob.locator('.refused').innerText()).toContain("approvers: 'bob' may not approve production");
      // Bob forges the approval with his own session and CSRF token: the server refuses it.
      const csrf = await bob.locator('form.logout input[name=_csrf]').inputValue();
      const forged = await bob.request.post(`${console_.url}/projects/shop/tasks/PROD-1/decide`, { form: { _csrf: csrf, decision: 'approve', comment: 'me' }, headers: { origin: console_.url } });
      expect(forged.status()).toBe(403);
      expect(await forged.text()).toContain('bob may not approve PROD-1');

      const ana = await (await browser.newContext()).newPage();
      await logIn(ana, console_.url, anaToken);
      await ana.goto(`${console_.url}/projects/shop/tasks/PROD-1/gate`);
      expect(await ana.locator('form.decide-approve').count()).toBe(1);
      // Ana's session without the form's CSRF token (another site's form would have none): refused.
      const noCsrf = await ana.request.post(`${console_.url}/projects/shop/tasks/PROD-1/decide`, { form: { decision: 'approve' } });
      expect(noCsrf.status()).toBe(403);
      expect(await noCsrf.text()).toContain('CSRF');
      const wrongCsrf = await ana.request.post(`${console_.url}/projects/shop/tasks/PROD-1/decide`, { form: { decision: 'approve', _csrf: csrf } });
      expect(wrongCsrf.status()).toBe(403);
      // Not logged in at all: refused.
      const anonymous = await (await browser.newContext()).request.post(`${console_.url}/projects/shop/tasks/PROD-1/decide`, { form: { decision: 'approve' } });
      expect(anonymous.status()).toBe(403);
      // Every page carries the CSP without inline scripts, and the session cookie is HttpOnly, SameSite=Strict.
      const page = await ana.request.get(`${console_.url}/projects/shop`);
      expect(page.headers()['content-security-policy']).toContain("script-src 'self'");
      expect(page.headers()['content-security-policy']).not.toContain('unsafe-inline');
      const cookie = (await ana.context().cookies()).find((c) => c.name === 'al_session');
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    } finally {
      await browser.close();
      await console_.close();
    }
  });

  it('a task description holding <script> and terminal escape sequences renders as text, in the queue, the task and the gate', async () => {
    const ws = makeWorkspace();
    writeContract(ws, ['ana']);
    productionQueue(ws);
    const token = createToken(ws, 'ana');
    const console_ = await startTestConsole(ws);
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      const blocked: string[] = [];
      page.on('console', (m) => {
        if (/Content Security Policy|Refused/.test(m.text())) blocked.push(m.text());
      });
      await logIn(page, console_.url, token);
      for (const [name, url] of [['queue', '/projects/shop'], ['task', '/projects/shop/tasks/PROD-1']] as const) {
        await page.goto(`${console_.url}${url}`);
        await page.screenshot({ path: screenshotPath(`hostile-${name}`), fullPage: true });
        expect(await page.evaluate('window.__owned')).toBeUndefined();
        expect(await page.locator('script').count()).toBe(1); // only the console's own /assets/console.js
        expect(await page.locator('img').count()).toBe(0);
        const text = await page.locator('main').innerText();
        expect(text).toContain('<script>window.__owned = 1</script>');
        expect(text).toContain('\\u001b]52;c;ZXZpbA==');
        expect(text).toContain('\\u001b[2J');
        expect(text).not.toContain(ESC);
      }
      expect(blocked).toEqual([]);
    } finally {
      await browser.close();
      await console_.close();
    }
  });

  it('ten wrong logins are slowed down: after five, each try must wait longer, even with the right token', async () => {
    const ws = makeWorkspace();
    writeContract(ws, ['ana']);
    productionQueue(ws);
    const token = createToken(ws, 'ana');
    const console_ = await startTestConsole(ws);
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      const statuses: number[] = [];
      for (let i = 0; i < 10; i++) {
        await page.goto(`${console_.url}/login`);
        await page.fill('input[name=token]', `alc_000000000000_${'x'.repeat(43)}`);
        const [response] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/login') && r.request().method() === 'POST'), page.click('form.login button[type=submit]')]);
        statuses.push(response.status());
      }
      await page.screenshot({ path: screenshotPath('login-throttled'), fullPage: true });
      expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
      expect(statuses.slice(5).filter((s) => s === 429).length).toBeGreaterThanOrEqual(4);
      expect(await page.locator('#login-error').innerText()).toMatch(/Too many failed logins from here: try again in \d+ s/);
      // The right token now is refused too until the wait has passed.
      await page.fill('input[name=token]', token);
      const [right] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/login') && r.request().method() === 'POST'), page.click('form.login button[type=submit]')]);
      expect(right.status()).toBe(429);
    } finally {
      await browser.close();
      await console_.close();
    }
  });
});

describe('the console behind TLS', () => {
  it('sets its cookies Secure when a reverse proxy says the request came over HTTPS, and not over plain HTTP', async () => {
    const ws = makeWorkspace();
    writeContract(ws, ['ana']);
    productionQueue(ws);
    const token = createToken(ws, 'ana');
    const console_ = await startTestConsole(ws);
    try {
      const login = async (headers: Record<string, string>): Promise<string[]> => {
        const form = await fetch(`${console_.url}/login`, { headers });
        const loginCookie = (form.headers.getSetCookie()[0] ?? '').split(';')[0]!;
        const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
        const r = await fetch(`${console_.url}/login`, {
          method: 'POST',
          redirect: 'manual',
          headers: { ...headers, cookie: loginCookie, 'content-type': 'application/x-www-form-urlencoded', origin: console_.url },
          body: new URLSearchParams({ _csrf: csrf, token }).toString(),
        });
        expect(r.status).toBe(303);
        return [...form.headers.getSetCookie(), ...r.headers.getSetCookie()];
      };
      const overTls = await login({ 'x-forwarded-proto': 'https' });
      expect(overTls.find((c) => c.startsWith('al_session='))).toMatch(/; Secure/i);
      expect(overTls.every((c) => /Max-Age=0|; Secure/i.test(c))).toBe(true);
      const plain = await login({});
      expect(plain.some((c) => /; Secure/i.test(c))).toBe(false);
    } finally {
      await console_.close();
    }
  });
});
