import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { InputError, formatProblems } from '../errors.js';
import type { Environment } from '../workspace/environment.js';
import { packageRoot } from '../workspace/paths.js';
import { type Finding, type ScanOptions, SEVERITIES, type Severity } from './finding.js';
import type { Dialect } from './sql/sql-lexer.js';

export type Scanner = 'sql' | 'migration' | 'code';

/** `aws s3 rm --recursive` as data: the subcommand words and the flags that must be present. */
export interface CliPattern {
  subcommands: string[];
  flags: string[];
}

export interface RuleMatch {
  /** Leading keywords of a SQL statement, upper case (user rules: `statement: DROP VIEW`). */
  statement?: string[];
  pythonMethods: string[];
  /** boto3 resource objects whose `.delete()` matches: a Bucket, an Object, or a bucket's object collection. */
  pythonResource: ('bucket' | 'object' | 'objects')[];
  jsConstructors: string[];
  jsMethods: string[];
  cli: CliPattern[];
  cliPrograms: string[];
}

export interface Rule {
  id: string;
  scanner: Scanner;
  severity: Severity;
  message: string;
  fix?: string;
  enabled: boolean;
  dialects: Dialect[];
  severityByEnvironment: Partial<Record<Environment, Severity>>;
  match: RuleMatch;
  /** The pack files that defined or changed this rule. */
  sources: string[];
}

/** SQL and migration rules whose detection is code; packs may change their words and severity. */
export const BUILT_IN_RULES: ReadonlySet<string> = new Set([
  'drop-database', 'drop-table', 'drop-schema', 'truncate', 'delete-without-where', 'update-without-where',
  'drop-column', 'rename-column', 'rename-table', 'add-not-null-without-default', 'alter-column-type',
  'index-not-concurrent', 'fk-not-valid', 'drop-index-not-concurrent', 'missing-upgrade', 'missing-downgrade',
  'empty-downgrade', 'irreversible-downgrade', 'missing-description', 'missing-down-file', 'unparsed-sql', 'unreadable-file',
  'set-not-null', 'check-not-valid', 'unique-without-index', 'drop-cascade', 'add-column-volatile-default', 'missing-lock-timeout', 'unresolved-sql', 's3-delete-loop',
]);

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

/** The rules in force after the shipped packs and the user's packs are applied. */
export class RuleSet {
  constructor(readonly rules: ReadonlyMap<string, Rule>) {}

  /** The rule when it exists and is enabled. */
  active(id: string): Rule | undefined {
    const rule = this.rules.get(id);
    return rule?.enabled ? rule : undefined;
  }

  byScanner(scanner: Scanner): Rule[] {
    return [...this.rules.values()].filter((r) => r.enabled && r.scanner === scanner);
  }

  /** A finding of rule `id`, or undefined when the rule is disabled. */
  makeFinding(
    id: string,
    at: { file: string; line: number; statement?: string; suppressed?: boolean; detail?: string; exception?: string | undefined },
    options: ScanOptions = {},
  ): Finding | undefined {
    const rule = this.active(id);
    if (!rule) return undefined;
    const severity =
      options.severityOverrides?.[id] ?? (options.environment ? rule.severityByEnvironment[options.environment] : undefined) ?? rule.severity;
    const finding: Finding = {
      file: at.file,
      line: at.line,
      rule: id,
      severity,
      message: rule.message,
      suppressed: at.suppressed ?? false,
    };
    if (at.detail) finding.target = at.detail;
    if (at.suppressed && at.exception) finding.exception = at.exception;
    if (rule.fix) finding.fix = rule.fix;
    if (at.statement) finding.statement = at.statement;
    return finding;
  }
}

const cache = new Map<string, RuleSet>();

/** The shipped packs (the package's guardrails/) and then each extra folder's *.yaml, in order. */
export function loadRulePacks(extraDirs: string[] = []): RuleSet {
  const files = [packFiles(path.join(packageRoot(), 'guardrails'), true)];
  const seen = new Set([realDir(path.join(packageRoot(), 'guardrails'))]);
  for (const dir of extraDirs) {
    const real = realDir(dir);
    if (seen.has(real)) continue;
    seen.add(real);
    files.push(packFiles(dir, false));
  }
  const list = files.flat();
  const key = list.map((f) => `${f.file}:${f.mtimeMs}:${f.size}`).join('|');
  const cached = cache.get(key);
  if (cached) return cached;
  const rules = new Map<string, Rule>();
  for (const f of list) applyPack(rules, f.file, f.shipped);
  const set = new RuleSet(rules);
  cache.set(key, set);
  return set;
}

function packFiles(dir: string, shipped: boolean): { file: string; mtimeMs: number; size: number; shipped: boolean }[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new InputError(`${displayPath(dir)}: cannot read the rule pack folder (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return names
    .filter((n) => n.endsWith('.yaml') || n.endsWith('.yml'))
    .sort()
    .map((n) => {
      const file = path.join(dir, n);
      const st = statSync(file);
      return { file, mtimeMs: st.mtimeMs, size: st.size, shipped };
    });
}

function applyPack(rules: Map<string, Rule>, file: string, shipped: boolean): void {
  const where = displayPath(file);
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

function realDir(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return path.resolve(dir);
  }
}

function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}
