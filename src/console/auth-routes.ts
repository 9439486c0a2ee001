import { randomBytes } from 'node:crypto';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { personOfToken } from '../gates/console-tokens.js';
import { LOGIN_COOKIE, SESSION_COOKIE, type ConsoleContext, type ConsoleEnv } from './console-context.js';
import { layout } from './pages/layout.js';
import { loginBody } from './pages/other-pages.js';
import { sameSecret } from './sessions.js';

const baseCookie = { httpOnly: true, sameSite: 'Strict', path: '/' } as const;

// Reached over TLS (a reverse proxy in front says so in X-Forwarded-Proto): the cookies are also
// Secure, never sent back over plain HTTP. The console itself serves HTTP on 127.0.0.1.
function cookieOptions(c: Context): { httpOnly: true; sameSite: 'Strict'; path: '/'; secure?: true } {
  const overTls = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase() === 'https' || new URL(c.req.url).protocol === 'https:';
  return overTls ? { ...baseCookie, secure: true } : baseCookie;
}

function address(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The login form carries a token its cookie also holds (double submit): a login cannot be forged from another site either. */
function loginPage(c: Context, status: 200 | 401 | 403 | 429, message?: string): Response {
  // One token a browser (kept while its cookie lives): two tabs, or a second request, do not invalidate the first form.
  const csrf = getCookie(c, LOGIN_COOKIE) ?? randomBytes(24).toString('base64url');
  setCookie(c, LOGIN_COOKIE, csrf, { ...cookieOptions(c), maxAge: 3600 });
  return c.html(layout('Log in', undefined, loginBody(csrf, message)), status);
}

/** Log in (a token for a session), log out. */
export function addAuthRoutes(app: Hono<ConsoleEnv>, ctx: ConsoleContext): void {
  app.get('/login', (c) => loginPage(c, 200));

  app.post('/login', async (c) => {
    const from = address(c);
    const wait = ctx.throttle.waitFor(from);
    if (wait > 0) {
      c.header('Retry-After', String(Math.ceil(wait / 1000)));
      return loginPage(c, 429, `Too many failed logins from here: try again in ${Math.ceil(wait / 1000)} s.`);
    }
    const form = await c.req.parseBody();
    if (!sameSecret(typeof form._csrf === 'string' ? form._csrf : undefined, getCookie(c, LOGIN_COOKIE) ?? '\u0000')) {
      return loginPage(c, 403, 'The login form had expired or did not come from this console (CSRF): log in again.');
    }
    const token = typeof form.token === 'string' ? form.token : '';
    const found = await personOfToken(ctx.store, token);
    if (!found) {
      ctx.throttle.failed(from);
      return loginPage(c, 401, 'That token is not known, or it was revoked.');
    }
    ctx.throttle.succeeded(from);
    const session = ctx.sessions.create(found.person, found.id);
    deleteCookie(c, LOGIN_COOKIE, { path: '/' });
    setCookie(c, SESSION_COOKIE, session.id, cookieOptions(c));
    return c.redirect('/', 303);
  });

  app.post('/logout', async (c) => {
    const session = ctx.sessions.get(getCookie(c, SESSION_COOKIE));
    const form = await c.req.parseBody();
    if (session && sameSecret(typeof form._csrf === 'string' ? form._csrf : undefined, session.csrf)) ctx.sessions.drop(session.id);
    else if (session) return c.text('Forbidden: the form did not carry this session\'s CSRF token', 403);
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.redirect('/login', 303);
  });
}
