// Telling a secret from a setting, by the variable's name and by the value itself.

const SECRET_WORDS = new Set(['SECRET', 'SECRETS', 'PASSWORD', 'PASSWD', 'PASS', 'PWD', 'TOKEN', 'APIKEY', 'CREDENTIAL', 'CREDENTIALS', 'SALT', 'PEPPER']);
const KEY_OWNERS = new Set(['API', 'ACCESS', 'PRIVATE', 'SECRET', 'SIGNING', 'ENCRYPTION', 'MASTER', 'SESSION', 'AUTH', 'APP', 'CLIENT', 'LICENSE', 'HMAC', 'JWT', 'COOKIE', 'WEBHOOK', 'STRIPE', 'SERVICE', 'ADMIN']);
// Last words that make a variable a setting about a secret, not the secret itself.
const SETTING_WORDS = new Set([
  'URL', 'URI', 'HOST', 'PORT', 'EXPIRY', 'EXPIRES', 'EXPIRATION', 'TTL', 'TIMEOUT', 'LENGTH', 'LEN', 'SIZE', 'NAME', 'ALGORITHM',
  'ALG', 'ISSUER', 'AUDIENCE', 'PATH', 'FILE', 'DIR', 'TYPE', 'PREFIX', 'HEADER', 'LIFETIME', 'AGE', 'ENABLED', 'ID', 'IN', 'FIELD',
  'MODE', 'REGION', 'VERSION', 'COUNT', 'LIMIT', 'ROUNDS', 'ITERATIONS', 'COST', 'STRATEGY', 'PARAM', 'ENDPOINT', 'USER', 'USERNAME',
  'LOCATION', 'SECONDS', 'MINUTES', 'HOURS', 'DAYS', 'MS', 'LOGIN', 'RESET', 'POLICY', 'REQUIRED', 'MIN', 'MAX', 'STORE', 'BACKEND',
]);

/** Does the variable's name say it holds a secret (DB_PASSWORD, JWT_SECRET, STRIPE_API_KEY)? */
export function isSecretName(name: string): boolean {
  const words = name.toUpperCase().split(/[^A-Z0-9]+/).filter(Boolean);
  const last = words[words.length - 1];
  if (!last || SETTING_WORDS.has(last) || /^(?:OLD)?PWD$/i.test(name)) return false;
  return words.some((w, i) => SECRET_WORDS.has(w) || (w === 'KEY' && KEY_OWNERS.has(words[i - 1] ?? '')));
}

// Shapes of real credentials: provider prefixes, PEM blocks, JWTs.
const KNOWN_SECRET = /^(?:sk|rk|pk)_(?:live|test)_\w{10,}|^gh[pousr]_\w{20,}|^github_pat_\w{20,}|^xox[abprs]-[\w-]{10,}|^AKIA[0-9A-Z]{16}$|^AIza[\w-]{35}$|^SG\.[\w-]{16,}\.[\w-]{16,}|-----BEGIN [A-Z ]*PRIVATE KEY-----|^eyJ[\w-]{10,}\.[\w-]{10,}\.[\w-]{10,}$/;

/** Does the value look like a credential on its own (a provider key, a long random string)? */
export function looksLikeSecretValue(value: string): boolean {
  if (KNOWN_SECRET.test(value)) return true;
  if (value.length < 24 || /[\s/:.@]/.test(value)) return false;
  if (/^[0-9a-f]{32,}$/i.test(value)) return true;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(value)).length;
  return classes >= 3 && shannonBits(value) >= 4;
}

/** A default that would serve as the secret if the variable were unset (not '', not a number or flag). */
export function isSecretDefault(name: string, value: string): boolean {
  if (looksLikeSecretValue(value)) return true;
  if (!isSecretName(name)) return false;
  const v = value.trim();
  return v.length > 0 && !/^(?:\d+[smhdw]?|true|false|none|null|undefined)$/i.test(v) && !/^\$\{?\w+\}?$/.test(v);
}

/** Shows enough of a secret to find it, not enough to use it. */
export function maskSecret(value: string): string {
  const shown = value.length <= 8 ? value.slice(0, 2) : value.slice(0, 4);
  return `"${shown}…" (${value.length} characters)`;
}

function shannonBits(value: string): number {
  const counts = new Map<string, number>();
  for (const c of value) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}
