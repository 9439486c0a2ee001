import type { ReviewContext } from '../review-context.js';
import type { CheckOutcome } from '../types.js';

/** One concern of the review: it looks at the project and returns its findings. */
export interface ReadinessRule {
  id: string;
  title: string;
  run(ctx: ReviewContext): CheckOutcome | Promise<CheckOutcome>;
}

/** At most `max` lines of a list, then how many more there are. */
export function listEvidence(lines: string[], max = 15): string {
  if (lines.length <= max) return lines.join('\n');
  return [...lines.slice(0, max), `… and ${lines.length - max} more`].join('\n');
}
