// Secrets never reach a terminal line, a log line, the state store or a record: by value (the
// values of environment variables named like secrets, and the passwords of URLs in any variable)
// and by shape (tokens whose form says what they are, wherever they come from).
const SECRET_NAME =
  /(TOKEN|PASSWORD|PASSWD|PASSPHRASE|_PASS$|^PASS$|_PWD$|SECRET|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|_KEY$|^KEY$|_PAT$|^PAT$|_PAT_|CREDENTIAL|AUTH|DATABASE_URL|DSN|CONNECTION_STRING|COOKIE|SESSION)/i;
// `scheme://user:password@host`: the password may hold '/' and '@' (the last '@' before the host ends it).
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]{0,30}:\/\/)([^:@/\s]*):(\S+)@(?=[^@\s/?#]+(?:[/?#\s]|$))/gi;
export const REDACTED = '[REDACTED]';

// Known credential shapes; a match is replaced whole (or its value group, where the key is kept).
const SHAPES: { pattern: RegExp; keep?: number }[] = [
  { pattern: /\bgh[pousr]_[A-Za-z0-9]{20,255}\b/g }, // GitHub tokens
  { pattern: /\bgithub_pat_[A-Za-z0-9_]{20,255}\b/g }, // GitHub fine-grained tokens
  { pattern: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[0-9A-Z]{16}\b(?:[\s,:;=|"']+[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+]))?/g }, // AWS key id, and the secret after it
  { pattern: /\bxox[abposrce]-[A-Za-z0-9-]{10,}/g }, // Slack
  { pattern: /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g }, // JWT
  { pattern: /\bsk_(?:live|test)_[A-Za-z0-9]{10,}/g }, // Stripe
  { pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g },
  { pattern: /(\b(?:Bearer|Basic)\s+)[A-Za-z0-9._~+/=-]{8,}/gi, keep: 1 }, // Authorization headers
  {
    // key=value and key: value, quoted or not (password=, pwd=, secret=, token=, api_key=, ...)
    pattern: /((?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|client[_-]?secret)["']?\s*[=:]\s*)("[^"\n]*"|'[^'\n]*'|[^\s&;,"'}<>]+)/gi,
    keep: 1,
  },
];

let cache: { env: NodeJS.ProcessEnv; values: string[] } | undefined;

function secretValues(env: NodeJS.ProcessEnv = process.env): string[] {
  if (cache?.env === env) return cache.values;
  const values: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!value || value.length < 4) continue;
    if (SECRET_NAME.test(name)) values.push(value);
    // A URL's password on its own, too, from any variable: it may be printed without the rest of the URL.
    for (const m of value.matchAll(URL_CREDENTIALS)) if (m[3] && m[3].length >= 4) values.push(m[3]);
  }
  values.sort((a, b) => b.length - a.length);
  cache = { env, values };
  return values;
}

/** The text with every secret value, every known credential shape and every URL password replaced. */
export function redactSecrets(text: string, env: NodeJS.ProcessEnv = process.env): string {
  let out = text;
  for (const value of secretValues(env)) if (out.includes(value)) out = out.split(value).join(REDACTED);
  out = out.replace(URL_CREDENTIALS, `$1$2:${REDACTED}@`);
  for (const { pattern, keep } of SHAPES) out = out.replace(pattern, (...m: string[]) => (keep ? `${m[keep] ?? ''}${REDACTED}` : REDACTED));
  return out;
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
