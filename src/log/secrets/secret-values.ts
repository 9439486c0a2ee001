// Secrets known by value: the values of environment variables named like secrets (the loop's
// own, and those it gives a command), URL passwords in any variable, and values registered by
// the code that handles them — each also in its base64 forms, wherever it sits in the encoded data.
export const SECRET_NAME =
  /(TOKEN|PASSWORD|PASSWD|PASSPHRASE|_PASS$|^PASS$|_PWD$|SECRET|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|_KEY$|^KEY$|_PAT$|^PAT$|_PAT_|CREDENTIAL|AUTH|DATABASE_URL|DSN|CONNECTION_STRING|COOKIE|SESSION|WEBHOOK)/i;
// `scheme://user:password@host`: the password may hold '/' and '@' (the last '@' before the host ends it).
export const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]{0,30}:\/\/)([^:@/\s]*):(\S+)@(?=[^@\s/?#]+(?:[/?#\s]|$))/gi;

/** Shorter values are not looked for by value: too many innocent words would go. */
const MIN_VALUE = 6;
/** Base64 forms are looked for from this length: a shorter value's fragments are too common. */
const MIN_BASE64_VALUE = 8;

const registered = new Set<string>();
let cache: { env: NodeJS.ProcessEnv; size: number; registered: number; values: string[] } | undefined;

/** Values the loop learnt are secret (a command's own `env:` entries named like secrets). */
export function registerSecretValues(values: Iterable<string>): void {
  for (const v of values) if (v.length >= MIN_VALUE) registered.add(v);
}

/** The values of `env` that are secret: by the variable's name, and the passwords of URLs in any. */
export function secretValuesOf(env: Record<string, string | undefined>): string[] {
  const values: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!value || value.length < MIN_VALUE) continue;
    if (SECRET_NAME.test(name)) values.push(value);
    // A URL's password on its own, too, from any variable: it may be printed without the rest of the URL.
    for (const m of value.matchAll(URL_CREDENTIALS)) if (m[3] && m[3].length >= 4) values.push(m[3]);
  }
  return values;
}

/** Every form of every known secret value to look for, longest first. */
export function knownSecretForms(env: NodeJS.ProcessEnv = process.env): string[] {
  const size = Object.keys(env).length;
  if (cache && cache.env === env && cache.size === size && cache.registered === registered.size) return cache.values;
  const forms = new Set<string>();
  for (const v of [...secretValuesOf(env), ...registered]) {
    forms.add(v);
    if (v.length >= MIN_BASE64_VALUE) for (const b of base64Forms(v)) forms.add(b);
  }
  const values = [...forms].sort((a, b) => b.length - a.length);
  cache = { env, size, registered: registered.size, values };
  return values;
}

/**
 * What any base64 encoding holding `value` must contain: for each of the three alignments the
 * value can have in the encoded bytes, the characters made of the value's bits alone (standard
 * and URL-safe alphabets).
 */
export function base64Forms(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const out: string[] = [];
  for (let pad = 0; pad < 3; pad++) {
    const encoded = Buffer.concat([Buffer.alloc(pad), bytes, Buffer.alloc(3)]).toString('base64');
    const from = Math.ceil((pad * 8) / 6);
    const to = Math.floor(((pad + bytes.length) * 8) / 6);
    const core = encoded.slice(from, to);
    if (core.length >= 8) {
      out.push(core);
      const urlSafe = core.replace(/\+/g, '-').replace(/\//g, '_');
      if (urlSafe !== core) out.push(urlSafe);
    }
  }
  return out;
}
