// The readiness review's public face: the readiness agent, the deployment agent's production
// pre-flight and the `readiness` command call these.
export type { ReadinessSeverity, ReadinessFinding, ReadinessReport, ReadinessCheck, ReviewInput, Effort, ReadinessVerdict, AreaScore } from './types.js';
export { READINESS_SEVERITIES } from './types.js';
export { reviewReadiness } from './review-readiness.js';
export { READINESS_RULES } from './readiness-rules.js';
export { AREAS, type ReadinessArea } from './areas.js';
export { formatReadinessReport, formatSummaryLine } from './format-readiness-report.js';
export { writeReview } from './write-review.js';
export { SEVERITY_WEIGHTS } from './score.js';
export { readLastDeployedVersion } from './last-deployed-version.js';
export type { AppliedMigrations } from './migrations/pending-migrations.js';
