// One rule of a secret-pattern set, as data (gitleaks' rule format, its regexes rewritten for
// JavaScript by scripts/import-gitleaks-rules.py), and how a rule finds secrets in text.
export interface SecretRuleData {
  id: string;
  source: string;
  flags: string;
  /** Lower-case words one of which the text must hold before the regex is tried (gitleaks' pre-filter). */
  keywords: string[];
  /** Which capture group is the secret; by default the first group that matched, else the whole match. */
  secretGroup?: number;
  /** The least Shannon entropy (bits a character) a secret must have: below it, a word is not a secret. */
  entropy?: number;
  /** [source, flags] of regexes: a secret matching one is allowed (an example value, a placeholder). */
  allow?: [string, string][];
  stopwords?: string[];
}

export interface SecretRule {
  id: string;
  pattern: RegExp;
  keywords: string[];
  secretGroup: number | undefined;
  entropy: number | undefined;
  allow: RegExp[];
  stopwords: string[];
}

export function compileRule(data: SecretRuleData): SecretRule {
  return {
    id: data.id,
    pattern: new RegExp(tokenEdges(data.source), `${data.flags}gd`),
    keywords: data.keywords,
    secretGroup: data.secretGroup,
    entropy: data.entropy,
    allow: (data.allow ?? []).map(([source, flags]) => new RegExp(source, flags)),
    stopwords: (data.stopwords ?? []).map((w) => w.toLowerCase()),
  };
}

// gitleaks closes a token with \b, which finds no edge between a '-' and a space (both non-word):
// a key whose first or last character is '-' (keys of [A-Za-z0-9_-]) went through whole. Each \b
// outside a character class also takes such an edge: a '-' with no word character beside it.
const TOKEN_EDGE = '(?:\\b|(?<=-)(?![\\w-])|(?<![\\w-])(?=-))';

/** The rule's source with each \b (outside a character class) taking a token's '-' edge too. */
export function tokenEdges(source: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      const next = source[i + 1] ?? '';
      out += !inClass && next === 'b' ? TOKEN_EDGE : c + next;
      i++;
    } else {
      if (c === '[') inClass = true;
      else if (c === ']') inClass = false;
      out += c;
    }
  }
  return out;
}

/** Ranges [start, end) of the secrets a rule finds in `text` (`lower` is `text` in lower case). */
export function findSecrets(rule: SecretRule, text: string, lower: string, into: [number, number][]): void {
  if (rule.keywords.length > 0 && !rule.keywords.some((k) => lower.includes(k))) return;
  rule.pattern.lastIndex = 0;
  for (const m of text.matchAll(rule.pattern)) {
    const groups = m.indices ?? [];
    let at = rule.secretGroup !== undefined ? groups[rule.secretGroup] : undefined;
    if (at === undefined && rule.secretGroup === undefined) for (let g = 1; g < groups.length && !at; g++) at = groups[g];
    at ??= groups[0];
    if (!at) continue;
    const secret = text.slice(at[0], at[1]);
    if (rule.entropy !== undefined && shannonEntropy(secret) < rule.entropy) continue;
    if (rule.allow.some((a) => a.test(secret))) continue;
    if (rule.stopwords.length > 0) {
      const s = secret.toLowerCase();
      if (rule.stopwords.some((w) => s.includes(w))) continue;
    }
    into.push([at[0], at[1]]);
  }
}

export function shannonEntropy(s: string): number {
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}
