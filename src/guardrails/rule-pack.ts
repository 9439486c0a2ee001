import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { displayPath, packageRoot } from '../workspace/paths.js';
import type { Finding, ScanOptions } from './finding.js';
import { type CompiledRules, type PackFile, type Rule, type Scanner, hashFile, packFiles } from './rule.js';

export type { CliPattern, Rule, RuleMatch, Scanner } from './rule.js';
export { BUILT_IN_RULES } from './rule.js';

/** The rules in force after the shipped packs and the user's packs are applied. */
export class RuleSet {
  constructor(readonly rules: ReadonlyMap<string, Rule>) {}

  /** The rule when it exists and is enabled. */
  active(id: string): Rule | undefined {
    const rule = this.rules.get(id);
    return rule?.enabled ? rule : undefined;
  }

  private readonly scanners = new Map<Scanner, Rule[]>();

  /** The enabled rules of one scanner (asked once per file scanned: kept). */
  byScanner(scanner: Scanner): Rule[] {
    let found = this.scanners.get(scanner);
    if (!found) {
      found = [...this.rules.values()].filter((r) => r.enabled && r.scanner === scanner);
      this.scanners.set(scanner, found);
    }
    return found;
  }

  /** A finding of rule `id`, or undefined when the rule is disabled. */
  makeFinding(
    id: string,
    at: { file: string; line: number; statement?: string; suppressed?: boolean; detail?: string; exception?: string | undefined; note?: string | undefined },
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
      message: at.note ? `${rule.message} (${at.note})` : rule.message,
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

/**
 * The shipped packs (the package's guardrails/) and then each extra folder's *.yaml, in order.
 * The shipped packs come precompiled (the build writes shipped-rules.json beside this module), so
 * a scan with no packs of its own loads neither the YAML reader nor the schema library.
 */
export async function loadRulePacks(extraDirs: string[] = []): Promise<RuleSet> {
  const shippedDir = path.join(packageRoot(), 'guardrails');
  const shipped = packFiles(shippedDir, true);
  const files = [shipped];
  const seen = new Set([realDir(shippedDir)]);
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
  const compiled = readCompiledRules(COMPILED_RULES, shipped);
  const rules = new Map<string, Rule>(compiled ?? []);
  const toRead = compiled ? list.filter((f) => !f.shipped) : list;
  if (toRead.length > 0) {
    const { applyPack } = await import('./rule-pack-file.js');
    for (const f of toRead) applyPack(rules, f.file, f.shipped, displayPath(f.file));
  }
  const set = new RuleSet(rules);
  cache.set(key, set);
  return set;
}

/** Where the build puts the shipped packs, compiled (absent when running from source). */
export const COMPILED_RULES = fileURLToPath(new URL('./shipped-rules.json', import.meta.url));

/** The compiled shipped rules when the file exists and was made from exactly these pack files. */
export function readCompiledRules(file: string, shipped: PackFile[]): Map<string, Rule> | undefined {
  let compiled: CompiledRules;
  try {
    compiled = JSON.parse(readFileSync(file, 'utf8')) as CompiledRules;
  } catch {
    return undefined;
  }
  const names = Object.keys(compiled.packs ?? {});
  if (compiled.version !== 1 || names.length !== shipped.length) return undefined;
  const dir = shipped[0] ? path.dirname(shipped[0].file) : '';
  for (const f of shipped) {
    if (compiled.packs[path.basename(f.file)] !== hashFile(f.file)) return undefined;
  }
  return new Map(compiled.rules.map((r) => [r.id, { ...r, sources: r.sources.map((s) => path.join(dir, s)) }]));
}

function realDir(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return path.resolve(dir);
  }
}

