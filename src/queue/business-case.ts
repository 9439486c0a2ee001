import { quoteValue } from '../errors.js';

// The business case of a provisioning task (the operator guide's "AWS Provisioning"): each part is
// checked when the queue loads, and a missing or empty part is named by its JSON path.

export interface BusinessCase {
  justification: string;
  costEstimate: { monthlyUsd: number; basis: string };
  alternatives: { option: string; rejectedBecause: string }[];
  risk: { security: string; operational: string; dataLoss: string };
}

export interface SafetyException {
  address: string;
  reason: string;
}

const EXAMPLE: Record<string, string> = {
  justification: '"Store user-uploaded profile photos (HIPAA-compliant storage)"',
  cost_estimate: '{"monthly_usd": 50, "basis": "1TB storage + transfer"}',
  alternatives: '[{"option": "Use existing bucket", "rejected_because": "HIPAA isolation requirement"}]',
  risk: '{"security": "...", "operational": "...", "data_loss": "..."}',
};

/**
 * Reads `business_case` of a task at `at` (e.g. `features[0]`), pushing one problem per missing,
 * empty or mistyped part (`features[0].business_case.cost_estimate: missing ...`).
 */
export function readBusinessCase(value: unknown, at: string, problems: string[]): BusinessCase | undefined {
  const base = `${at}.business_case`;
  if (value === undefined || value === null) {
    problems.push(`${base}: missing (a provisioning task carries a business case: justification, cost_estimate, alternatives, risk)`);
    return undefined;
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push(`${base}: expected an object with justification, cost_estimate, alternatives and risk, got ${describe(value)}`);
    return undefined;
  }
  const bc = value as Record<string, unknown>;
  const before = problems.length;
  const part = (key: string): unknown => {
    const v = bc[key];
    if (v === undefined || v === null) problems.push(`${base}.${key}: missing (e.g. ${EXAMPLE[key]})`);
    return v ?? undefined;
  };
  const justification = text(bc.justification ?? missingMark, `${base}.justification`, problems, `why the resource is needed, e.g. ${EXAMPLE.justification}`);

  const cost = part('cost_estimate');
  let costEstimate: BusinessCase['costEstimate'] | undefined;
  if (cost !== undefined) {
    const o = object(cost, `${base}.cost_estimate`, problems, EXAMPLE.cost_estimate ?? '');
    if (o) {
      const monthly = o.monthly_usd;
      let monthlyUsd: number | undefined;
      if (monthly === undefined || monthly === null) problems.push(`${base}.cost_estimate.monthly_usd: missing (the estimate in USD a month, e.g. 50)`);
      else if (typeof monthly !== 'number' || !Number.isFinite(monthly) || monthly < 0) problems.push(`${base}.cost_estimate.monthly_usd: expected a number of USD a month (0 or more), got ${describe(monthly)}`);
      else monthlyUsd = monthly;
      const basis = text(o.basis ?? missingMark, `${base}.cost_estimate.basis`, problems, 'how the estimate was made, e.g. "1TB storage + transfer"');
      if (monthlyUsd !== undefined && basis !== undefined) costEstimate = { monthlyUsd, basis };
    }
  }

  const alts = part('alternatives');
  const alternatives: BusinessCase['alternatives'] = [];
  if (alts !== undefined) {
    if (!Array.isArray(alts)) problems.push(`${base}.alternatives: expected an array of {option, rejected_because}, got ${describe(alts)}`);
    else if (alts.length === 0) problems.push(`${base}.alternatives: empty (name at least one alternative considered and why it was rejected)`);
    else {
      alts.forEach((a, i) => {
        const o = object(a, `${base}.alternatives[${i}]`, problems, '{"option": "...", "rejected_because": "..."}');
        if (!o) return;
        const option = text(o.option ?? missingMark, `${base}.alternatives[${i}].option`, problems);
        const rejectedBecause = text(o.rejected_because ?? missingMark, `${base}.alternatives[${i}].rejected_because`, problems);
        if (option !== undefined && rejectedBecause !== undefined) alternatives.push({ option, rejectedBecause });
      });
    }
  }

  const riskValue = part('risk');
  let risk: BusinessCase['risk'] | undefined;
  if (riskValue !== undefined) {
    const o = object(riskValue, `${base}.risk`, problems, EXAMPLE.risk ?? '');
    if (o) {
      const security = text(o.security ?? missingMark, `${base}.risk.security`, problems);
      const operational = text(o.operational ?? missingMark, `${base}.risk.operational`, problems);
      const dataLoss = text(o.data_loss ?? missingMark, `${base}.risk.data_loss`, problems);
      if (security !== undefined && operational !== undefined && dataLoss !== undefined) risk = { security, operational, dataLoss };
    }
  }
  if (problems.length > before || justification === undefined || !costEstimate || !risk) return undefined;
  return { justification, costEstimate, alternatives, risk };
}

/** `safety_exceptions: [{address, reason}]`: the plan addresses a person lets through, each with why. */
export function readSafetyExceptions(value: unknown, at: string, problems: string[]): SafetyException[] {
  if (value === undefined || value === null) return [];
  const base = `${at}.safety_exceptions`;
  if (!Array.isArray(value)) {
    problems.push(`${base}: expected an array of {"address": "aws_db_instance.main", "reason": "..."}, got ${describe(value)}`);
    return [];
  }
  const out: SafetyException[] = [];
  value.forEach((e, i) => {
    const o = object(e, `${base}[${i}]`, problems, '{"address": "aws_db_instance.main", "reason": "..."}');
    if (!o) return;
    const address = text(o.address ?? missingMark, `${base}[${i}].address`, problems, 'a resource address from the plan, e.g. "aws_db_instance.main"');
    const reason = text(o.reason ?? missingMark, `${base}[${i}].reason`, problems, 'why this change is safe');
    if (address !== undefined && reason !== undefined) out.push({ address, reason });
  });
  return out;
}

const missingMark = Symbol('missing');

function text(value: unknown, at: string, problems: string[], hint?: string): string | undefined {
  if (value === undefined || value === missingMark) {
    problems.push(`${at}: missing${hint ? ` (${hint})` : ''}`);
    return undefined;
  }
  if (typeof value !== 'string') {
    problems.push(`${at}: expected text, got ${describe(value)}`);
    return undefined;
  }
  if (value.trim() === '') {
    problems.push(`${at}: empty${hint ? ` (${hint})` : ''}`);
    return undefined;
  }
  if (value.length > 20_000) {
    problems.push(`${at}: longer than 20000 characters`);
    return undefined;
  }
  return value.trim();
}

function object(value: unknown, at: string, problems: string[], example: string): Record<string, unknown> | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    problems.push(`${at}: expected an object like ${example}, got ${describe(value)}`);
    return undefined;
  }
  if (Object.keys(value).length === 0) {
    problems.push(`${at}: empty (expected ${example})`);
    return undefined;
  }
  return value as Record<string, unknown>;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return quoteValue(value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}
