// The guardrails' public face: what the CLI and the agents call. The scanners live beside it.
export type { Severity, Finding, ScanOptions, MigrationCheck, MigrationReport } from './finding.js';
export { SEVERITIES, compareSeverity, isBlocking, isAtOrAbove, isUnread } from './finding.js';
export type { ScanResult } from './scan-paths.js';
export { scanPaths, scanSqlText } from './scan-paths.js';
export { validateMigrations } from './validate-migrations.js';
export { formatViolations, formatMigrationReport } from './format-report.js';
export { loadRulePacks, type Rule, type RuleSet } from './rule-pack.js';
