import { InputError } from '../../errors.js';

/**
 * The monthly cost a cost tool gives for a plan, in the shape of Infracost's `breakdown --format
 * json`: `diffTotalMonthlyCost` (what the plan adds) when present, else `totalMonthlyCost`; both
 * are decimal strings. Anything else is one InputError naming the field.
 */
export function readCostFigure(text: string, source: string): number {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${source}: not JSON (${(e as Error).message}); expected Infracost's 'breakdown --format json' output`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new InputError(`${source}: (top): expected an object with totalMonthlyCost`);
  const o = json as Record<string, unknown>;
  if (typeof o.currency === 'string' && o.currency !== 'USD') throw new InputError(`${source}: currency: '${o.currency}', expected USD (budgets and estimates are in USD)`);
  for (const key of ['diffTotalMonthlyCost', 'totalMonthlyCost']) {
    const v = o[key];
    if (v === undefined || v === null) continue;
    const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
    if (!Number.isFinite(n)) throw new InputError(`${source}: ${key}: expected a decimal amount, got ${JSON.stringify(v)}`);
    return n;
  }
  throw new InputError(`${source}: totalMonthlyCost: missing (the tool gave no monthly figure for the plan)`);
}
