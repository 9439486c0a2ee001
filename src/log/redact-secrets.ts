import { GITLEAKS_RULES } from './secrets/gitleaks-rules.js';
import { compileRule, findSecrets, type SecretRule } from './secrets/secret-rule.js';
import { knownSecretForms, SECRET_NAME, URL_CREDENTIALS } from './secrets/secret-values.js';
import { holdBackFrom, redactMultiline } from './secrets/multiline-secrets.js';

export { registerSecretValues } from './secrets/secret-values.js';

// The one redactor. Secrets never reach a terminal line, a log line, the state store or a record:
// by value (secretValuesOf: env variables named like secrets, URL passwords, registered values,
// and their base64 forms) and by shape (gitleaks' maintained rule set, as data; see
// scripts/import-gitleaks-rules.py), plus three shapes that need context a rule set leaves out.
export const REDACTED = '[REDACTED]';

const PEM_BEGIN = /-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----/;
const PEM_END = /-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----/;
// A private key block, its body too; cut off before its END (a tail, a stream), to the end of the text.
const PEM_BLOCK = /-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----|$)/g;

const CONTEXT_RULES: SecretRule[] = [
  // An AWS secret access key printed beside its key id (no name says what the 40 characters are).
  contextRule('aws-secret-beside-key-id', /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|A3T[A-Z0-9])[0-9A-Z]{16}\b[\s,:;=|"']+([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])/gd, ['akia', 'asia', 'agpa', 'aida', 'aroa', 'anpa', 'a3t']),
  // Authorization header values.
  contextRule('authorization-header', /\b(?:Bearer|Basic|Token)\s+([A-Za-z0-9._~+/=-]{8,})/gid, ['bearer', 'basic', 'token']),
  // key=value and key: value for names that say secret, quoted or not, whatever the value's entropy.
  contextRule(
    'secret-assignment',
    // The value inside its quotes (a JSON document stays JSON); a literal (true, null) or a
    // reference to where the secret lives (${DB_PASSWORD}, {{ .token }}) is not a secret.
    /(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|client[_-]?secret|accountkey|sharedaccesskey)["']?\s*[=:]\s*(?:"([^"\n]{4,})"|'([^'\n]{4,})'|([^\s&;,"'}<>]{4,}))/gid,
    ['pass', 'pwd', 'secret', 'token', 'key'],
    { secretGroup: undefined, allow: [/^(?:true|false|null|none|nil|undefined)$/i, /^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$/, /^\$\{[A-Za-z_][A-Za-z0-9_]*(?::?[-=?+][^}]*)?\}$/, /^\{\{[^}]*\}\}$/, /^<[^>]*>?$/, /^\*+$/] },
  ),
];

// The secret is capture group 1 unless told (undefined: the first group that matched).
function contextRule(id: string, pattern: RegExp, keywords: string[], options: { secretGroup?: number | undefined; allow?: RegExp[] } = {}): SecretRule {
  const secretGroup = 'secretGroup' in options ? options.secretGroup : 1;
  return { id, pattern, keywords, secretGroup, entropy: undefined, allow: [/^\[REDACTED\]/, ...(options.allow ?? [])], stopwords: [] };
}

let rules: SecretRule[] | undefined;
let keywordPattern: RegExp | undefined;
const allRules = (): SecretRule[] => (rules ??= [...GITLEAKS_RULES.map(compileRule), ...CONTEXT_RULES]);
// Every rule's keywords in one pattern: the text is read once for all of them.
const keywords = (): RegExp =>
  (keywordPattern ??= new RegExp(
    [...new Set(allRules().flatMap((r) => r.keywords))]
      .sort((a, b) => b.length - a.length)
      .map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('|'),
    'g',
  ));

let byKeyword: Map<string, SecretRule[]> | undefined;
// The rules each keyword keys (a rule with no keyword is never tried: its lines are none).
function rulesKeyedOn(keyword: string): SecretRule[] {
  if (!byKeyword) {
    byKeyword = new Map();
    for (const rule of allRules()) {
      for (const k of rule.keywords) {
        const rules = byKeyword.get(k);
        if (rules) rules.push(rule);
        else byKeyword.set(k, [rule]);
      }
    }
  }
  return byKeyword.get(keyword) ?? [];
}

let within: Map<string, string[]> | undefined;
// Each keyword with the keywords it contains (itself included).
function keywordsWithin(keyword: string): string[] {
  within ??= new Map();
  let found = within.get(keyword);
  if (!found) {
    found = [...new Set(allRules().flatMap((r) => r.keywords))].filter((k) => keyword.includes(k));
    within.set(keyword, found);
  }
  return found;
}

/** The text with every known secret value (and its base64 forms), every secret shape and every URL password replaced. */
export function redactSecrets(text: string, env: NodeJS.ProcessEnv = process.env): string {
  if (text.length < 6) return text;
  let out = text;
  for (const value of knownSecretForms(env)) if (out.includes(value)) out = out.split(value).join(REDACTED);
  if (out.includes('://')) out = out.replace(URL_CREDENTIALS, `$1$2:${REDACTED}@`);
  if (out.includes('-----BEGIN')) out = out.replace(PEM_BLOCK, REDACTED);
  return redactShapes(redactMultiline(out));
}

// Each rule runs only on the lines that hold one of its keywords (gitleaks' pre-filter, by line):
// the cost follows the lines that look like they may hold a secret, not the size of the output.
function redactShapes(text: string): string {
  const lower = text.toLowerCase();
  const linesOf = new Map<string, [number, number][]>();
  for (const m of lower.matchAll(keywords())) {
    const start = lower.lastIndexOf('\n', m.index) + 1;
    let end = lower.indexOf('\n', m.index);
    if (end === -1) end = lower.length;
    // The longest keyword wins the match ('password'), and it holds the shorter ones ('pass'): the
    // line is every one of theirs, or a rule keyed on 'pass' would never see a password line.
    for (const keyword of keywordsWithin(m[0])) {
      const spans = linesOf.get(keyword) ?? [];
      const last = spans[spans.length - 1];
      if (last?.[0] !== start) spans.push([start, end]);
      linesOf.set(keyword, spans);
    }
  }
  if (linesOf.size === 0) return text;
  const ranges: [number, number][] = [];
  // Only the rules keyed on a keyword found (each once): the others have no line to look at.
  const tried = new Set<SecretRule>();
  for (const keyword of linesOf.keys()) for (const rule of rulesKeyedOn(keyword)) tried.add(rule);
  for (const rule of tried) {
    const spans = mergeSpans(rule.keywords.flatMap((k) => linesOf.get(k) ?? []));
    for (const [start, end] of spans) {
      const found: [number, number][] = [];
      findSecrets(rule, text.slice(start, end), lower.slice(start, end), found);
      for (const [a, b] of found) ranges.push(insideQuotes(text, start + a, start + b));
    }
  }
  if (ranges.length === 0) return text;
  ranges.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  let out = '';
  let at = 0;
  for (const [start, end] of ranges) {
    if (end <= at) continue;
    out += text.slice(at, Math.max(at, start)) + (start >= at ? REDACTED : '');
    at = end;
  }
  return out + text.slice(at);
}

// A secret found with its quotes keeps them: a JSON document stays JSON once redacted.
function insideQuotes(text: string, start: number, end: number): [number, number] {
  const q = text[start];
  return end - start > 2 && (q === '"' || q === "'") && text[end - 1] === q ? [start + 1, end - 1] : [start, end];
}

function mergeSpans(spans: [number, number][]): [number, number][] {
  if (spans.length < 2) return spans;
  spans.sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const s of spans) {
    const last = out[out.length - 1];
    if (last && s[0] <= last[1] + 1) last[1] = Math.max(last[1], s[1]);
    else out.push([s[0], s[1]]);
  }
  return out;
}

/**
 * Redaction of a stream of output given in arbitrary chunks: only whole lines are redacted and
 * passed on (a secret split over two chunks is found whole), and from a private key's BEGIN line
 * to its END line every line is held back as one [REDACTED] — the body never goes out.
 */
export interface SecretStream {
  /** Redacted text of the whole lines completed by this chunk ('' while a line is incomplete). */
  push(chunk: string): string;
  /** What is left (an unfinished line, a key block cut off), redacted. */
  end(): string;
}

const MAX_PARTIAL = 64 * 1024;

export function createSecretStream(env: NodeJS.ProcessEnv = process.env): SecretStream {
  let partial = '';
  // Whole lines held back until the next ones show whether they hold a multi-line secret.
  let held = '';
  let inKey = false;
  const lines = (text: string): string => {
    // text is whole lines, each ending in '\n'
    let out = '';
    let from = 0;
    while (from < text.length) {
      if (!inKey) {
        const begin = text.indexOf('-----BEGIN', from);
        const at = begin === -1 ? -1 : text.lastIndexOf('\n', begin) + 1;
        if (begin === -1 || !PEM_BEGIN.test(text.slice(begin, text.indexOf('\n', begin) + 1 || undefined))) {
          out += redactSecrets(text.slice(from), env);
          return out;
        }
        out += redactSecrets(text.slice(from, at), env);
        inKey = true;
        out += `${REDACTED}\n`;
        from = at;
      }
      const end = text.slice(from).search(PEM_END);
      if (end === -1) return out; // the rest of the key is held back, unwritten
      const endAt = from + end;
      const nl = text.indexOf('\n', endAt);
      from = nl === -1 ? text.length : nl + 1;
      inKey = false;
    }
    return out;
  };
  return {
    push(chunk) {
      const text = partial + chunk;
      const cut = text.lastIndexOf('\n');
      if (cut === -1) {
        // a line longer than the limit is given in pieces rather than held without end
        if (text.length > MAX_PARTIAL) {
          partial = '';
          const out = held + text;
          held = '';
          return inKey ? '' : redactSecrets(out, env);
        }
        partial = text;
        return '';
      }
      partial = text.slice(cut + 1);
      const whole = held + text.slice(0, cut + 1);
      // a dangling `password:`, an open block scalar, a base64 block: wait for what follows (not past MAX_PARTIAL)
      let from = inKey || whole.includes('-----BEGIN') ? whole.length : holdBackFrom(whole);
      if (whole.length - from > MAX_PARTIAL) from = whole.length;
      held = whole.slice(from);
      return lines(whole.slice(0, from));
    },
    end() {
      const rest = held + partial;
      held = '';
      partial = '';
      if (inKey) return '';
      return rest === '' ? '' : redactSecrets(rest, env);
    },
  };
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
