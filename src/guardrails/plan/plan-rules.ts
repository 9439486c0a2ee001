import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { InputError, formatProblems } from '../../errors.js';
import { parseYamlText } from '../../workspace/parse-yaml-text.js';
import { displayPath, packageRoot } from '../../workspace/paths.js';
import type { Severity } from '../finding.js';

export const PLAN_RULE_IDS = ['plan-destroy-stateful', 'plan-public-bucket', 'plan-open-ingress', 'plan-unencrypted-storage', 'plan-bucket-without-versioning'] as const;
export type PlanRuleId = (typeof PLAN_RULE_IDS)[number];

export interface PlanRule {
  id: PlanRuleId;
  severity: Severity;
  message: string;
  fix: string;
  enabled: boolean;
}

/** The plan rule packs, merged: the shipped guardrails/plan/ then the workspace's. */
export interface PlanRules {
  statefulTypes: Set<string>;
  webPorts: Set<number>;
  encryptionAttributes: Map<string, string>;
  rules: Map<PlanRuleId, PlanRule>;
  /** The pack files read, in order. */
  sources: string[];
}

const Severity = z.enum(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW']);
const PackSchema = z.strictObject({
  version: z.literal(1, 'expected version: 1'),
  description: z.string().optional(),
  stateful_types: z.array(z.string().min(1)).optional(),
  web_ports: z.array(z.number().int().min(0).max(65535)).optional(),
  encryption_attributes: z.record(z.string().min(1), z.string().min(1)).optional(),
  rules: z
    .array(
      z.strictObject({
        id: z.enum(PLAN_RULE_IDS, { error: `expected one of ${PLAN_RULE_IDS.join(', ')}` }),
        severity: Severity.optional(),
        message: z.string().min(1).optional(),
        fix: z.string().min(1).optional(),
        enabled: z.boolean().optional(),
      }),
    )
    .optional(),
});

/** Reads the shipped plan pack and then each `<workspace>/guardrails/plan/*.yaml` over it. */
export function loadPlanRules(workspaceGuardrailsDir?: string): PlanRules {
  const merged: PlanRules = { statefulTypes: new Set(), webPorts: new Set(), encryptionAttributes: new Map(), rules: new Map(), sources: [] };
  const dirs = [path.join(packageRoot(), 'guardrails', 'plan')];
  if (workspaceGuardrailsDir) {
    const own = path.join(workspaceGuardrailsDir, 'plan');
    if (path.resolve(own) !== path.resolve(dirs[0] ?? '')) dirs.push(own);
  }
  dirs.forEach((dir, i) => {
    for (const file of yamlFiles(dir)) applyPack(merged, file, i === 0);
  });
  const missing = PLAN_RULE_IDS.filter((id) => !merged.rules.has(id));
  if (missing.length > 0) throw new InputError(`${displayPath(dirs[0] ?? '')}: the shipped plan rule pack lacks ${missing.join(', ')} (a broken install?)`);
  return merged;
}

function yamlFiles(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((n) => n.endsWith('.yaml') || n.endsWith('.yml'))
      .sort()
      .map((n) => path.join(dir, n));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new InputError(`${displayPath(dir)}: cannot read the plan rule pack folder (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}

function applyPack(merged: PlanRules, file: string, shipped: boolean): void {
  const shown = displayPath(file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(`${shown}: cannot read the plan rule pack (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const parsed = PackSchema.safeParse(parseYamlText(text, shown));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') || '(top)'}: ${i.message}`);
    throw new InputError(formatProblems(`${shown}: not a valid plan rule pack`, problems), problems);
  }
  const pack = parsed.data;
  for (const t of pack.stateful_types ?? []) merged.statefulTypes.add(t);
  if (pack.web_ports) merged.webPorts = new Set(pack.web_ports);
  for (const [type, attribute] of Object.entries(pack.encryption_attributes ?? {})) merged.encryptionAttributes.set(type, attribute);
  const problems: string[] = [];
  (pack.rules ?? []).forEach((entry, i) => {
    const base = merged.rules.get(entry.id);
    if (!base && (!entry.severity || !entry.message || !entry.fix)) {
      problems.push(`rules[${i}]: '${entry.id}' needs severity, message and fix${shipped ? '' : ' (it is not in the shipped pack)'}`);
      return;
    }
    merged.rules.set(entry.id, {
      id: entry.id,
      severity: entry.severity ?? base?.severity ?? 'HIGH',
      message: entry.message ?? base?.message ?? '',
      fix: entry.fix ?? base?.fix ?? '',
      enabled: entry.enabled ?? base?.enabled ?? true,
    });
  });
  if (problems.length > 0) throw new InputError(formatProblems(`${shown}: not a valid plan rule pack`, problems), problems);
  merged.sources.push(file);
}
