import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { InputError, formatProblems } from '../errors.js';
import { SEVERITIES } from './finding.js';
import { BUILT_IN_RULES, type CliPattern, type CompiledRules, type Rule, hashFile, packFiles } from './rule.js';

// Reading a rule pack file: YAML, checked against the pack schema, applied over the rules so far.
// Loaded only when a pack must be read from YAML (a workspace's own packs, or shipped packs that
// changed since the build compiled them).

const SeveritySchema = z.enum(SEVERITIES);
const Name = z.string().regex(/^[A-Za-z_$][A-Za-z0-9_$]*$/, 'expected an identifier');

const RuleEntry = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a lower-case id like drop-table'),
  scanner: z.enum(['sql', 'migration', 'code']).optional(),
  severity: SeveritySchema.optional(),
  message: z.string().min(1).optional(),
  fix: z.string().min(1).optional(),
  enabled: z.boolean().optional(),
  dialects: z.array(z.enum(['postgres', 'mysql'])).min(1).optional(),
  severity_by_environment: z
    .strictObject({ development: SeveritySchema.optional(), staging: SeveritySchema.optional(), production: SeveritySchema.optional() })
    .optional(),
  match: z
    .strictObject({
      statement: z.string().regex(/^[A-Za-z_]+( +[A-Za-z_]+)*$/, 'expected leading keywords like "DROP VIEW"').optional(),
      python_methods: z.array(Name).optional(),
      python_resource: z.array(z.enum(['bucket', 'object', 'objects'])).optional(),
      js_constructors: z.array(Name).optional(),
      js_methods: z.array(Name).optional(),
      cli: z.array(z.string().regex(/^[a-z0-9-]+( +[a-z0-9-]+)*( +--[a-z0-9-]+)*$/, 'expected words then flags, like "s3 rm --recursive"')).optional(),
      cli_programs: z.array(z.string().min(1)).optional(),
    })
    .optional(),
});
type RuleEntry = z.infer<typeof RuleEntry>;

const Pack = z.strictObject({
  version: z.literal(1),
  description: z.string().optional(),
  rules: z.array(RuleEntry),
});

/** Applies one pack file over `rules`: a new rule is added, a known one changed; `where` names the file in messages. */
export function applyPack(rules: Map<string, Rule>, file: string, shipped: boolean, where: string): void {
  const doc = parseDocument(readFileSync(file, 'utf8'), { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => `line ${e.linePos?.[0]?.line ?? '?'}: ${e.message.split('\n')[0]}`);
    throw new InputError(formatProblems(`${where}: not valid YAML`, problems), problems);
  }
  const parsed = Pack.safeParse(doc.toJS());
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
    throw new InputError(formatProblems(`${where}: not a valid rule pack`, problems), problems);
  }
  const problems: string[] = [];
  const inThisFile = new Set<string>();
  parsed.data.rules.forEach((entry, index) => {
    const at = `rules[${index}]`;
    if (inThisFile.has(entry.id)) problems.push(`${at}.id: '${entry.id}' appears twice in this pack`);
    inThisFile.add(entry.id);
    const existing = rules.get(entry.id);
    const merged = existing ? mergeRule(existing, entry, file) : newRule(entry, file, shipped, at, problems);
    if (merged) {
      if (existing && entry.scanner && entry.scanner !== existing.scanner) {
        problems.push(`${at}.scanner: '${entry.id}' is a ${existing.scanner} rule; its scanner cannot change`);
      }
      rules.set(entry.id, merged);
    }
  });
  if (problems.length > 0) throw new InputError(formatProblems(`${where}: not a valid rule pack`, problems), problems);
}

function newRule(entry: RuleEntry, file: string, shipped: boolean, at: string, problems: string[]): Rule | undefined {
  const missing = (['scanner', 'severity', 'message'] as const).filter((k) => entry[k] === undefined);
  for (const k of missing) problems.push(`${at}.${k}: required for the new rule '${entry.id}'`);
  const rule = mergeRule(
    {
      id: entry.id,
      scanner: entry.scanner ?? 'sql',
      severity: entry.severity ?? 'LOW',
      message: entry.message ?? '',
      enabled: true,
      dialects: ['postgres', 'mysql'],
      severityByEnvironment: {},
      match: { pythonMethods: [], pythonResource: [], jsConstructors: [], jsMethods: [], cli: [], cliPrograms: ['aws', 'awslocal'] },
      sources: [],
    },
    entry,
    file,
  );
  const builtIn = shipped && BUILT_IN_RULES.has(entry.id);
  if (entry.scanner === 'migration' && !builtIn) {
    problems.push(`${at}.id: '${entry.id}' is not a migration rule this version knows; migration rules can only be changed, not added`);
  }
  if (entry.scanner === 'sql' && !builtIn && !rule.match.statement) {
    problems.push(`${at}.match.statement: a new SQL rule needs the statement's leading keywords, e.g. "DROP VIEW"`);
  }
  const m = rule.match;
  if (entry.scanner === 'code' && !builtIn && m.pythonMethods.length + m.pythonResource.length + m.jsConstructors.length + m.jsMethods.length + m.cli.length === 0) {
    problems.push(`${at}.match: a code rule needs python_methods, python_resource, js_constructors, js_methods or cli`);
  }
  return missing.length === 0 ? rule : undefined;
}

function mergeRule(base: Rule, entry: RuleEntry, file: string): Rule {
  const m = entry.match;
  return {
    ...base,
    severity: entry.severity ?? base.severity,
    message: entry.message ?? base.message,
    fix: entry.fix ?? base.fix,
    enabled: entry.enabled ?? base.enabled,
    dialects: entry.dialects ?? base.dialects,
    severityByEnvironment: { ...base.severityByEnvironment, ...entry.severity_by_environment },
    match: {
      statement: m?.statement ? m.statement.toUpperCase().split(/ +/) : base.match.statement,
      pythonMethods: m?.python_methods ?? base.match.pythonMethods,
      pythonResource: m?.python_resource ?? base.match.pythonResource,
      jsConstructors: m?.js_constructors ?? base.match.jsConstructors,
      jsMethods: m?.js_methods ?? base.match.jsMethods,
      cli: m?.cli ? m.cli.map(parseCliPattern) : base.match.cli,
      cliPrograms: m?.cli_programs ?? base.match.cliPrograms,
    },
    sources: [...base.sources, file],
  };
}

function parseCliPattern(text: string): CliPattern {
  const words = text.split(/ +/);
  return { subcommands: words.filter((w) => !w.startsWith('--')), flags: words.filter((w) => w.startsWith('--')) };
}

function formatPath(p: PropertyKey[]): string {
  if (p.length === 0) return '(top)';
  return p.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`)).join('');
}

/** The shipped packs (`dir`), compiled: what the build writes to shipped-rules.json. */
export function compileRulePacks(dir: string): CompiledRules {
  const files = packFiles(dir, true);
  const rules = new Map<string, Rule>();
  for (const f of files) applyPack(rules, f.file, true, path.basename(f.file));
  return {
    version: 1,
    packs: Object.fromEntries(files.map((f) => [path.basename(f.file), hashFile(f.file)])),
    rules: [...rules.values()].map((r) => ({ ...r, sources: r.sources.map((s) => path.basename(s)) })),
  };
}
