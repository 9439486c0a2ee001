import type { Finding, ScanOptions } from '../finding.js';
import type { CliPattern, Rule, RuleSet } from '../rule-pack.js';
import { type MarkerLine, findException, shortenStatement } from '../safety-marker.js';

/** What a code scanner needs to know about one file. */
export interface CodeScanInput {
  text: string;
  file: string;
  rules: RuleSet;
  options: ScanOptions;
}

/** The code rules (S3 and user-added) indexed by the names they match. */
export interface CodeMatchers {
  pythonMethods: Map<string, Rule[]>;
  pythonResource: Map<string, Rule[]>;
  jsConstructors: Map<string, Rule[]>;
  jsMethods: Map<string, Rule[]>;
  cli: { rule: Rule; pattern: CliPattern }[];
  cliPrograms: Set<string>;
}

const matcherCache = new WeakMap<RuleSet, CodeMatchers>();

export function buildCodeMatchers(rules: RuleSet): CodeMatchers {
  const cached = matcherCache.get(rules);
  if (cached) return cached;
  const m: CodeMatchers = { pythonMethods: new Map(), pythonResource: new Map(), jsConstructors: new Map(), jsMethods: new Map(), cli: [], cliPrograms: new Set() };
  const add = (map: Map<string, Rule[]>, name: string, rule: Rule): void => {
    map.set(name, [...(map.get(name) ?? []), rule]);
  };
  for (const rule of rules.byScanner('code')) {
    for (const n of rule.match.pythonMethods) add(m.pythonMethods, n, rule);
    for (const n of rule.match.pythonResource) add(m.pythonResource, n, rule);
    for (const n of rule.match.jsConstructors) add(m.jsConstructors, n, rule);
    for (const n of rule.match.jsMethods) add(m.jsMethods, n, rule);
    for (const pattern of rule.match.cli) m.cli.push({ rule, pattern });
    if (rule.match.cli.length > 0) for (const p of rule.match.cliPrograms) m.cliPrograms.add(p);
  }
  matcherCache.set(rules, m);
  return m;
}

/**
 * Findings for the rules a call matched, at the call's lines; a marker on them suppresses. A
 * one-object delete in a loop over a listing is also an s3-delete-loop.
 */
export function makeCallFindings(
  input: CodeScanInput,
  matched: Rule[],
  at: { line: number; lastLine: number; code: string; inListingLoop?: boolean },
  markers: readonly MarkerLine[],
): Finding[] {
  const statement = shortenStatement(at.code);
  const findings: Finding[] = [];
  const loop = at.inListingLoop && matched.some((r) => r.id === 's3-delete-object') ? input.rules.active('s3-delete-loop') : undefined;
  const rules = loop ? [loop, ...matched] : matched;
  for (const rule of rules) {
    const exception = findException(markers, { first: at.line, last: at.lastLine }, rule.id, (w) => input.rules.rules.has(w));
    const suppressed = exception !== undefined;
    const f = input.rules.makeFinding(rule.id, { file: input.file, line: at.line, statement, suppressed, exception: exception?.reason }, input.options);
    if (f) findings.push(f);
  }
  return findings;
}
