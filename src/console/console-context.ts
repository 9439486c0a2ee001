import type { Store } from '../state/store.js';
import type { LiveStatus } from './live-status.js';
import type { LoginThrottle } from './login-throttle.js';
import type { Session, Sessions } from './sessions.js';

/** What every route of the console shares: the workspace, its store, the sessions. */
export interface ConsoleContext {
  root: string;
  store: Store;
  sessions: Sessions;
  throttle: LoginThrottle;
  live: LiveStatus;
}

export type ConsoleEnv = { Variables: { session: Session } };

export const SESSION_COOKIE = 'al_session';
export const LOGIN_COOKIE = 'al_login';

export const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
