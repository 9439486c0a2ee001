import { InputError } from '../../errors.js';

// The JSON plan format of OpenTofu and Terraform (`show -json <planfile>`): `format_version`,
// `resource_changes[]` each with `address`, `type`, `change.actions`, `change.before` and
// `change.after`, and `configuration` (the expressions, with what each one references).

export type PlanAction = 'create' | 'update' | 'delete' | 'replace' | 'read' | 'no-op' | 'forget';

export interface ResourceChange {
  address: string;
  type: string;
  name: string;
  mode: string;
  /** The change in one word: ["delete","create"] and ["create","delete"] are a replace. */
  action: PlanAction;
  actions: string[];
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  /** Attributes known only after apply (`after_unknown`). */
  afterUnknown: Record<string, unknown>;
  /** Addresses this resource's configuration refers to (from `configuration`). */
  references: string[];
}

export interface Plan {
  formatVersion: string;
  toolVersion: string | null;
  changes: ResourceChange[];
}

const KNOWN_ACTIONS = new Set(['create', 'update', 'delete', 'read', 'no-op', 'forget']);

/** Reads `show -json` output; anything not in the documented shape is one InputError naming where. */
export function readPlan(text: string, source: string): Plan {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    const first = text.trim().split('\n')[0]?.slice(0, 80) ?? '';
    throw new InputError(`${source}: not a JSON plan (${(e as Error).message})${first ? `; it begins: ${JSON.stringify(first)}` : '; it printed nothing'}. Expected the output of 'tofu show -json <planfile>'`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new InputError(`${source}: (top): expected a JSON plan object with format_version and resource_changes`);
  const top = json as Record<string, unknown>;
  const fv = top.format_version;
  if (typeof fv !== 'string') throw new InputError(`${source}: format_version: missing (is this the output of 'show -json' on a plan file?)`);
  const major = Number(fv.split('.')[0]);
  if (!(major === 0 || major === 1)) throw new InputError(`${source}: format_version: '${fv}' is not a plan format this version reads (1.x)`);
  if (top.errored === true) throw new InputError(`${source}: errored: true — the plan did not complete; nothing can be approved from it`);
  const rc = top.resource_changes ?? [];
  if (!Array.isArray(rc)) throw new InputError(`${source}: resource_changes: expected an array`);
  const references = configurationReferences(top.configuration);
  const changes = rc.map((entry, i) => readChange(entry, `${source}: resource_changes[${i}]`, references));
  const toolVersion = typeof top.terraform_version === 'string' ? top.terraform_version : null;
  return { formatVersion: fv, toolVersion, changes };
}

function readChange(entry: unknown, at: string, references: Map<string, string[]>): ResourceChange {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw new InputError(`${at}: expected an object`);
  const e = entry as Record<string, unknown>;
  const address = e.address;
  if (typeof address !== 'string' || address === '') throw new InputError(`${at}.address: expected the resource address`);
  const type = typeof e.type === 'string' ? e.type : '';
  if (!type) throw new InputError(`${at}.type: expected the resource type (${address})`);
  const change = e.change;
  if (change === null || typeof change !== 'object' || Array.isArray(change)) throw new InputError(`${at}.change: expected an object with actions (${address})`);
  const c = change as Record<string, unknown>;
  const actions = c.actions;
  if (!Array.isArray(actions) || actions.length === 0 || !actions.every((a) => typeof a === 'string')) {
    throw new InputError(`${at}.change.actions: expected a list of actions such as ["create"] or ["delete","create"] (${address})`);
  }
  const unknown = (actions as string[]).find((a) => !KNOWN_ACTIONS.has(a));
  if (unknown) throw new InputError(`${at}.change.actions: unknown action '${unknown}' (${address}); known: ${[...KNOWN_ACTIONS].join(', ')}`);
  const action = oneAction(actions as string[], `${at}.change.actions`, address);
  return {
    address,
    type,
    name: typeof e.name === 'string' ? e.name : '',
    mode: typeof e.mode === 'string' ? e.mode : 'managed',
    action,
    actions: actions as string[],
    before: record(c.before),
    after: record(c.after),
    afterUnknown: record(c.after_unknown) ?? {},
    references: references.get(configAddress(address)) ?? [],
  };
}

function oneAction(actions: string[], at: string, address: string): PlanAction {
  if (actions.length === 2 && actions.includes('delete') && actions.includes('create')) return 'replace';
  if (actions.length === 1) return actions[0] as PlanAction;
  throw new InputError(`${at}: ${JSON.stringify(actions)} is not a combination the plan format has (${address})`);
}

function record(v: unknown): Record<string, unknown> | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

// `aws_s3_bucket.x[0]` and `module.m.aws_s3_bucket.x["k"]` are configured once as `aws_s3_bucket.x`.
function configAddress(address: string): string {
  return address.replace(/\[[^\]]*\]/g, '');
}

/** Each configured resource's references (`configuration.root_module.resources[].expressions.*.references`). */
function configurationReferences(configuration: unknown): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const walkModule = (mod: unknown, prefix: string): void => {
    const m = record(mod);
    if (!m) return;
    for (const r of Array.isArray(m.resources) ? m.resources : []) {
      const res = record(r);
      if (!res || typeof res.address !== 'string') continue;
      const refs: string[] = [];
      collectReferences(res.expressions, refs);
      out.set(prefix + res.address, [...new Set(refs)]);
    }
    const calls = record(m.module_calls) ?? {};
    for (const [name, call] of Object.entries(calls)) walkModule(record(call)?.module, `${prefix}module.${name}.`);
  };
  walkModule(record(configuration)?.root_module, '');
  return out;
}

function collectReferences(value: unknown, refs: string[]): void {
  if (Array.isArray(value)) {
    for (const v of value) collectReferences(v, refs);
    return;
  }
  const o = record(value);
  if (!o) return;
  if (Array.isArray(o.references)) for (const r of o.references) if (typeof r === 'string') refs.push(r);
  for (const [k, v] of Object.entries(o)) if (k !== 'references') collectReferences(v, refs);
}
