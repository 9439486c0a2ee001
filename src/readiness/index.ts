// The readiness review's public face: the readiness agent, the deployment agent's production
// pre-flight and the `readiness` command call these.
export type { ReadinessSeverity, ReadinessFinding, ReadinessReport, ReadinessCheck, ReviewInput, Effort } from './types.js';
export { READINESS_SEVERITIES } from './types.js';
export { reviewReadiness, READINESS_RULES } from './review-readiness.js';
export { formatReadinessReport, formatSummaryLine } from './format-readiness-report.js';
export { writeReview } from './write-review.js';
export { SEVERITY_WEIGHTS } from './score.js';
