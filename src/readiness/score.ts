import { AREAS, type ReadinessArea } from './areas.js';
import { READINESS_SEVERITIES, type AreaScore, type ReadinessCheck, type ReadinessFinding, type ReadinessSeverity, type ReadinessVerdict } from './types.js';

/**
 * Points a finding takes off its area's 100: a BLOCKER empties the area, two HIGHs nearly do,
 * MEDIUMs and LOWs dent it. The score is the weighted mean of the areas that apply, so one bad
 * area cannot zero a project that does the rest well, and projects spread apart.
 */
export const SEVERITY_WEIGHTS: Record<ReadinessSeverity, number> = { BLOCKER: 100, HIGH: 45, MEDIUM: 20, LOW: 8 };

export function countBySeverity(findings: Pick<ReadinessFinding, 'severity'>[]): Record<ReadinessSeverity, number> {
  const counts = Object.fromEntries(READINESS_SEVERITIES.map((s) => [s, 0])) as Record<ReadinessSeverity, number>;
  for (const f of findings) counts[f.severity]++;
  return counts;
}

/** What a check that applies but could not decide takes off its area: an unknown is a gap, not a pass. */
export const NOT_ASSESSED_WEIGHT = 25;

/**
 * Each area's score. An area none of whose checks applies scores null and does not count; an area
 * whose check could not be assessed counts, and loses NOT_ASSESSED_WEIGHT with the reason.
 */
export function scoreAreas(findings: Pick<ReadinessFinding, 'severity' | 'area' | 'title'>[], checks: Pick<ReadinessCheck, 'area' | 'status' | 'detail' | 'rule'>[]): AreaScore[] {
  return AREAS.map(({ area, title, weight }) => {
    const own = findings.filter((f) => f.area === area);
    const unknown = checks.filter((c) => c.area === area && c.status === 'not-assessed');
    const applies = own.length > 0 || checks.some((c) => c.area === area && c.status !== 'not-applicable');
    const deductions = [
      ...own.map((f) => `-${SEVERITY_WEIGHTS[f.severity]} ${f.severity} ${f.title}`),
      ...unknown.map((c) => `-${NOT_ASSESSED_WEIGHT} ${c.rule} ${c.detail.split('; ')[0] ?? 'not assessed'}`),
    ];
    const deduction = own.reduce((sum, f) => sum + SEVERITY_WEIGHTS[f.severity], 0) + unknown.length * NOT_ASSESSED_WEIGHT;
    return { area, title, weight, score: applies ? Math.max(0, 100 - deduction) : null, findings: own.length, deductions };
  });
}

/** The weighted mean of the areas that apply, rounded; 0 when none applies. */
export function scoreFindings(areas: AreaScore[]): number {
  let total = 0;
  let weights = 0;
  for (const a of areas) {
    if (a.score === null) continue;
    total += a.score * a.weight;
    weights += a.weight;
  }
  return weights === 0 ? 0 : Math.round(total / weights);
}

export function decideVerdict(counts: Record<ReadinessSeverity, number>): ReadinessVerdict {
  return counts.BLOCKER > 0 ? 'BLOCKED' : counts.HIGH > 0 ? 'NOT READY' : 'READY';
}

export function areaOrder(area: ReadinessArea): number {
  return AREAS.findIndex((a) => a.area === area);
}
