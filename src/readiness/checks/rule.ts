import type { ReadinessArea } from '../areas.js';
import type { ReviewContext } from '../review-context.js';
import type { Stack } from '../stack.js';
import type { CheckOutcome } from '../types.js';

/** One concern of the review: it looks at the project and returns its findings. */
export interface ReadinessRule {
  id: string;
  title: string;
  area: ReadinessArea;
  /** The Issue paragraph of its findings when a finding does not bring its own: what goes wrong in production. */
  impact: string;
  /** A fix for each stack (`default` for the others), shown under the recommendation. */
  snippets?: Partial<Record<Stack | 'default', string>>;
  run(ctx: ReviewContext): CheckOutcome | Promise<CheckOutcome>;
}

/** At most `max` lines of a list, then how many more there are. */
export function listEvidence(lines: string[], max = 15): string {
  if (lines.length <= max) return lines.join('\n');
  return [...lines.slice(0, max), `… and ${lines.length - max} more`].join('\n');
}

/** `file:line: the line`, shortened: what a finding or a pass quotes. */
export function quoteLine(rel: string, line: number, text: string): string {
  const trimmed = text.trim();
  return `${rel}:${line}: ${trimmed.length > 160 ? `${trimmed.slice(0, 157)}…` : trimmed}`;
}
