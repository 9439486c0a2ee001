// Values of environment variables named like secrets never reach a log line or a record.
const SECRET_NAME = /(TOKEN|PASSWORD|PASSWD|PASSPHRASE|_PASS$|^PASS$|_PWD$|SECRET|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|_KEY$|^KEY$|CREDENTIAL|AUTH|DATABASE_URL|DSN|CONNECTION_STRING)/i;
// `scheme://user:password@` and `scheme://:password@` (Redis URLs carry no user).
const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/)([^:@/\s]*):([^@/\s]+)@/gi;
export const REDACTED = '[REDACTED]';

let cache: { env: NodeJS.ProcessEnv; values: string[] } | undefined;

function secretValues(env: NodeJS.ProcessEnv = process.env): string[] {
  if (cache?.env === env) return cache.values;
  const values: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!value || value.length < 4 || !SECRET_NAME.test(name)) continue;
    values.push(value);
    // A URL's password on its own, too: it may be printed without the rest of the URL.
    for (const m of value.matchAll(URL_CREDENTIALS)) if (m[3] && m[3].length >= 4) values.push(m[3]);
  }
  values.sort((a, b) => b.length - a.length);
  cache = { env, values };
  return values;
}

/** The text with every secret value and every `user:password@` of a URL replaced. */
export function redactSecrets(text: string, env: NodeJS.ProcessEnv = process.env): string {
  let out = text;
  for (const value of secretValues(env)) if (out.includes(value)) out = out.split(value).join(REDACTED);
  return out.replace(URL_CREDENTIALS, `$1$2:${REDACTED}@`);
}

/** Deep copy with every string redacted: for records written to files. */
export function redactValue<T>(value: T, env: NodeJS.ProcessEnv = process.env): T {
  if (typeof value === 'string') return redactSecrets(value, env) as T;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, env)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_NAME.test(k) && typeof v === 'string' ? REDACTED : redactValue(v, env);
    return out as T;
  }
  return value;
}
