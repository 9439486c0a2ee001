import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie } from 'hono/cookie';
import { InputError } from '../errors.js';
import { addAuthRoutes } from './auth-routes.js';
import { CSP, SESSION_COOKIE, type ConsoleContext, type ConsoleEnv } from './console-context.js';
import { addDecisionRoutes } from './decision-routes.js';
import { addPageRoutes } from './page-routes.js';
import { CLIENT_SCRIPT } from './pages/client-script.js';
import { layout, STYLESHEET } from './pages/layout.js';
import { messageBody } from './pages/other-pages.js';
import { sameSecret } from './sessions.js';

const TOKEN_CHECK_MS = 5000;

/** A page that says what went wrong, in the person's words; an unknown error is a bug. */
export function errorPage(c: Context<ConsoleEnv>, e: unknown): Response {
  const session = c.get('session');
  if (e instanceof InputError) return c.html(layout('Not possible', session, messageBody('Not possible', e.message)), 400);
  const text = e instanceof Error ? e.message : String(e);
  return c.html(layout('Error', session, messageBody('This is a bug', text)), 500);
}

/** The console's routes: assets, login, then only with a session: pages, live events, decisions. */
export function createConsoleApp(ctx: ConsoleContext): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  let tokensCheckedAt = 0;

  app.use('*', async (c, next) => {
    await next();
    c.header('Content-Security-Policy', CSP);
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('X-Frame-Options', 'DENY');
    c.header('Referrer-Policy', 'same-origin'); // no-referrer would make the browser send 'Origin: null' with the console's own forms
    c.header('Cache-Control', 'no-store');
  });
  app.use('*', bodyLimit({ maxSize: 64 * 1024, onError: (c) => c.text('Payload too large', 413) }));
  app.onError((e, c) => errorPage(c, e));

  app.get('/assets/console.css', (c) => c.body(STYLESHEET, 200, { 'Content-Type': 'text/css; charset=utf-8' }));
  app.get('/favicon.ico', (c) => c.body(null, 204));
  app.get('/assets/console.js', (c) => c.body(CLIENT_SCRIPT, 200, { 'Content-Type': 'text/javascript; charset=utf-8' }));

  // A POST from another site: refused before anything reads it (the CSRF token is checked too).
  app.use('*', async (c, next) => {
    const origin = c.req.header('origin');
    if (c.req.method === 'POST' && origin !== undefined && origin !== new URL(c.req.url).origin) return c.text('Forbidden: a form from another origin', 403);
    return next();
  });

  addAuthRoutes(app, ctx);

  app.use('*', async (c, next) => {
    // Revoked tokens end their sessions (looked at every few seconds).
    if (Date.now() - tokensCheckedAt > TOKEN_CHECK_MS) {
      tokensCheckedAt = Date.now();
      const live = new Set((await ctx.store.consoleTokens()).filter((t) => t.revoked_at === null).map((t) => t.id));
      for (const id of ctx.sessions.tokenIds()) if (!live.has(id)) ctx.sessions.dropToken(id);
    }
    const session = ctx.sessions.get(getCookie(c, SESSION_COOKIE));
    if (!session) return c.req.method === 'GET' ? c.redirect('/login', 303) : c.text('Forbidden: not logged in', 403);
    c.set('session', session);
    if (c.req.method === 'POST') {
      const form = await c.req.parseBody();
      if (!sameSecret(typeof form._csrf === 'string' ? form._csrf : undefined, session.csrf)) return c.text('Forbidden: the form did not carry this session\'s CSRF token', 403);
    }
    return next();
  });

  addPageRoutes(app, ctx);
  addDecisionRoutes(app, ctx);
  return app;
}
