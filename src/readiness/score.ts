import { READINESS_SEVERITIES, type ReadinessFinding, type ReadinessSeverity } from './types.js';

/**
 * Points a finding takes off the score of 100. A BLOCKER alone leaves at most 60 (two leave 20),
 * three HIGHs take off as much as a BLOCKER and a bit more, MEDIUMs and LOWs only nudge it.
 */
export const SEVERITY_WEIGHTS: Record<ReadinessSeverity, number> = { BLOCKER: 40, HIGH: 15, MEDIUM: 5, LOW: 2 };

export function countBySeverity(findings: Pick<ReadinessFinding, 'severity'>[]): Record<ReadinessSeverity, number> {
  const counts = Object.fromEntries(READINESS_SEVERITIES.map((s) => [s, 0])) as Record<ReadinessSeverity, number>;
  for (const f of findings) counts[f.severity]++;
  return counts;
}

/** 100 minus the weighted findings, never below 0. */
export function scoreFindings(findings: Pick<ReadinessFinding, 'severity'>[]): number {
  const deduction = findings.reduce((sum, f) => sum + SEVERITY_WEIGHTS[f.severity], 0);
  return Math.max(0, 100 - deduction);
}
