import type { Severity } from '../finding.js';
import type { PlanRuleId, PlanRules } from './plan-rules.js';
import type { Plan, ResourceChange } from './read-plan.js';

/** A finding about one resource change of a plan. */
export interface PlanFinding {
  rule: PlanRuleId;
  severity: Severity;
  /** The resource address in the plan (`aws_db_instance.main`). */
  address: string;
  action: string;
  message: string;
  /** What exactly was seen, e.g. `port 22 open to 0.0.0.0/0`. */
  detail: string;
  fix: string;
  /** A task's `safety_exceptions` names this address. */
  suppressed: boolean;
  exception?: string;
}

export interface PlanCheckInput {
  rules: PlanRules;
  safetyExceptions?: readonly { address: string; reason: string }[];
  /** The business case's data-loss risk in words: versioning is asked for when data loss matters. */
  dataLossRisk?: string;
}

const PUBLIC_ACLS = new Set(['public-read', 'public-read-write', 'authenticated-read']);
const WORLD = new Set(['0.0.0.0/0', '::/0']);

/** Every finding of the plan, each once, in the plan's order. */
export function checkPlan(plan: Plan, input: PlanCheckInput): PlanFinding[] {
  const { rules } = input;
  const out: PlanFinding[] = [];
  const add = (rule: PlanRuleId, c: ResourceChange, detail: string): void => {
    const r = rules.rules.get(rule);
    if (!r || !r.enabled) return;
    const exception = input.safetyExceptions?.find((e) => e.address === c.address);
    out.push({ rule, severity: r.severity, address: c.address, action: c.action, message: r.message, detail, fix: r.fix, suppressed: exception !== undefined, ...(exception ? { exception: exception.reason } : {}) });
  };
  for (const c of plan.changes) {
    if (c.mode !== 'managed') continue;
    if ((c.action === 'delete' || c.action === 'replace') && rules.statefulTypes.has(c.type)) {
      add('plan-destroy-stateful', c, c.action === 'replace' ? `${c.type} is replaced: destroyed and created again (${c.actions.join(', ')})` : `${c.type} is destroyed`);
    }
    if (!c.after || c.action === 'delete' || c.action === 'read' || c.action === 'forget') continue;
    const pub = publicBucket(c);
    if (pub) add('plan-public-bucket', c, pub);
    for (const open of openIngress(c, rules.webPorts)) add('plan-open-ingress', c, open);
    const attribute = rules.encryptionAttributes.get(c.type);
    if (attribute && c.after[attribute] !== true && c.afterUnknown[attribute] !== true) {
      add('plan-unencrypted-storage', c, `${attribute} is ${JSON.stringify(c.after[attribute] ?? null)}`);
    }
  }
  if (dataLossMatters(input.dataLossRisk)) {
    for (const bucket of plan.changes.filter((c) => c.type === 'aws_s3_bucket' && (c.action === 'create' || c.action === 'replace'))) {
      if (!isVersioned(bucket, plan.changes)) add('plan-bucket-without-versioning', bucket, `no aws_s3_bucket_versioning with status "Enabled" for ${bucket.address} in the plan; the case says: "${input.dataLossRisk ?? 'no data-loss risk given'}"`);
    }
  }
  return out;
}

/** A CRITICAL finding that no safety exception covers stops the task. */
export function blockingPlanFindings(findings: readonly PlanFinding[]): PlanFinding[] {
  return findings.filter((f) => !f.suppressed && f.severity === 'CRITICAL');
}

// Data loss does not matter only where the case says so in as many words.
const NO_DATA_LOSS = /^\s*(none|n\/?a|not applicable|no data|nothing|no risk|acceptable)\b|can be (re-?created|regenerated|rebuilt)|ephemeral|scratch|temporary data/i;
function dataLossMatters(risk: string | undefined): boolean {
  return risk === undefined || !NO_DATA_LOSS.test(risk);
}

function publicBucket(c: ResourceChange): string | undefined {
  const a = c.after ?? {};
  if ((c.type === 'aws_s3_bucket' || c.type === 'aws_s3_bucket_acl') && typeof a.acl === 'string' && PUBLIC_ACLS.has(a.acl)) return `acl "${a.acl}"`;
  if (c.type === 'aws_s3_bucket_acl' && /acs\.amazonaws\.com\/groups\/global\/(AllUsers|AuthenticatedUsers)/.test(JSON.stringify(a.access_control_policy ?? null))) return 'a grant to AllUsers/AuthenticatedUsers';
  if (c.type === 'aws_s3_bucket_public_access_block') {
    const off = ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'].filter((k) => a[k] === false);
    if (off.length > 0) return `${off.join(', ')} set to false`;
  }
  if (c.type === 'aws_s3_bucket_policy' && typeof a.policy === 'string' && allowsEveryone(a.policy)) return 'a policy that allows Principal "*" without a condition';
  if ((c.type === 'google_storage_bucket_iam_member' || c.type === 'google_storage_bucket_iam_binding') && /allUsers|allAuthenticatedUsers/.test(JSON.stringify([a.member, a.members]))) return 'a member allUsers/allAuthenticatedUsers';
  return undefined;
}

function allowsEveryone(policy: string): boolean {
  let doc: unknown;
  try {
    doc = JSON.parse(policy);
  } catch {
    return false;
  }
  const statements = (doc as { Statement?: unknown }).Statement;
  const list = Array.isArray(statements) ? statements : [statements];
  return list.some((s) => {
    const st = s as { Effect?: unknown; Principal?: unknown; Condition?: unknown } | null;
    if (!st || st.Effect !== 'Allow' || st.Condition) return false;
    const p = st.Principal;
    if (p === '*') return true;
    const aws = (p as { AWS?: unknown } | undefined)?.AWS;
    return aws === '*' || (Array.isArray(aws) && aws.includes('*'));
  });
}

interface IngressRule {
  from: number;
  to: number;
  protocol: string;
  cidrs: string[];
}

function openIngress(c: ResourceChange, webPorts: ReadonlySet<number>): string[] {
  const a = c.after ?? {};
  const rules: IngressRule[] = [];
  const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []);
  const rule = (r: Record<string, unknown>, protocolKey: string, cidrs: string[]): IngressRule => ({
    from: Number(r.from_port ?? 0),
    to: Number(r.to_port ?? r.from_port ?? 0),
    protocol: String(r[protocolKey] ?? 'tcp'),
    cidrs,
  });
  if (c.type === 'aws_security_group' && Array.isArray(a.ingress)) {
    for (const r of a.ingress as Record<string, unknown>[]) rules.push(rule(r, 'protocol', [...strings(r.cidr_blocks), ...strings(r.ipv6_cidr_blocks)]));
  }
  if (c.type === 'aws_security_group_rule' && a.type === 'ingress') rules.push(rule(a, 'protocol', [...strings(a.cidr_blocks), ...strings(a.ipv6_cidr_blocks)]));
  if (c.type === 'aws_vpc_security_group_ingress_rule') rules.push(rule(a, 'ip_protocol', [...strings(a.cidr_ipv4), ...strings(a.cidr_ipv6)]));
  const out: string[] = [];
  for (const r of rules) {
    const world = r.cidrs.filter((x) => WORLD.has(x));
    if (world.length === 0) continue;
    const allPorts = r.protocol === '-1' || r.protocol === 'all';
    const ports = allPorts ? 'every port' : r.from === r.to ? `port ${r.from}` : `ports ${r.from}-${r.to}`;
    const onlyWeb = !allPorts && r.to - r.from < 65535 && rangeIsWeb(r.from, r.to, webPorts);
    if (!onlyWeb) out.push(`${ports}${allPorts ? '' : `/${r.protocol}`} open to ${world.join(', ')}`);
  }
  return out;
}

function rangeIsWeb(from: number, to: number, webPorts: ReadonlySet<number>): boolean {
  if (to - from > 1000) return false;
  for (let p = from; p <= to; p++) if (!webPorts.has(p)) return false;
  return true;
}

function isVersioned(bucket: ResourceChange, changes: readonly ResourceChange[]): boolean {
  const inline = bucket.after?.versioning;
  if (Array.isArray(inline) && inline.some((v) => (v as { enabled?: unknown }).enabled === true)) return true;
  const name = bucket.after?.bucket;
  return changes.some((v) => {
    if (v.type !== 'aws_s3_bucket_versioning' || !v.after || v.action === 'delete') return false;
    const cfg = v.after.versioning_configuration;
    const enabled = Array.isArray(cfg) && cfg.some((x) => (x as { status?: unknown }).status === 'Enabled');
    const same = (typeof name === 'string' && v.after.bucket === name) || v.references.some((r) => r === bucket.address || r.startsWith(`${bucket.address}.`));
    return enabled && same;
  });
}
