import { statSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors.js';
import { ciTestsRule } from './checks/ci-tests.js';
import { deployGuideRule } from './checks/deploy-guide.js';
import { envDocumentedRule } from './checks/env-documented.js';
import { envSecretDefaultsRule } from './checks/env-secret-defaults.js';
import { gracefulShutdownRule } from './checks/graceful-shutdown.js';
import { healthEndpointRule } from './checks/health-endpoint.js';
import { httpTimeoutsRule } from './checks/http-timeouts.js';
import { migrationsRule } from './checks/migrations.js';
import { rollbackProcedureRule } from './checks/rollback-procedure.js';
import type { ReadinessRule } from './checks/rule.js';
import { runbookRule } from './checks/runbook.js';
import { securityHeadersRule } from './checks/security-headers.js';
import { structuredLoggingRule } from './checks/structured-logging.js';
import { versionConsistencyRule } from './checks/version-consistency.js';
import { createReviewContext } from './review-context.js';
import { countBySeverity, scoreFindings } from './score.js';
import { READINESS_SEVERITIES, type DraftFinding, type ReadinessCheck, type ReadinessReport, type ReviewInput } from './types.js';

/** The rules, in the order the report lists them among findings of equal severity. */
export const READINESS_RULES: readonly ReadinessRule[] = [
  runbookRule,
  rollbackProcedureRule,
  migrationsRule,
  deployGuideRule,
  healthEndpointRule,
  gracefulShutdownRule,
  httpTimeoutsRule,
  envSecretDefaultsRule,
  envDocumentedRule,
  structuredLoggingRule,
  securityHeadersRule,
  versionConsistencyRule,
  ciTestsRule,
];

/** Reviews the project's repository for production readiness; a BLOCKER makes the report `blocked`. */
export async function reviewReadiness(input: ReviewInput): Promise<ReadinessReport> {
  const projectPath = path.resolve(input.projectPath);
  let isDir = false;
  try {
    isDir = statSync(projectPath).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) throw new InputError(`readiness: the project folder ${projectPath} does not exist or is not a folder`);
  const ctx = createReviewContext(input, projectPath);
  const drafts: Array<DraftFinding & { order: number }> = [];
  const checks: ReadinessCheck[] = [];
  for (const [order, rule] of READINESS_RULES.entries()) {
    const outcome = await rule.run(ctx);
    drafts.push(...outcome.findings.map((f) => ({ ...f, order })));
    checks.push({
      rule: rule.id,
      title: rule.title,
      status: outcome.findings.length > 0 ? 'finding' : outcome.notApplicable ? 'not-applicable' : 'pass',
      detail:
        outcome.findings.length > 0
          ? outcome.findings.map((f) => `${f.severity} ${f.title}`).join('; ')
          : (outcome.notApplicable ?? outcome.passed ?? 'nothing to report'),
    });
  }
  const rank = (s: DraftFinding['severity']): number => READINESS_SEVERITIES.indexOf(s);
  drafts.sort((a, b) => rank(a.severity) - rank(b.severity) || a.order - b.order);
  const findings = drafts.map(({ order: _order, ...f }, i) => ({ id: `OPERATOR-${String(i + 1).padStart(3, '0')}`, ...f }));
  const counts = countBySeverity(findings);
  return {
    project: input.project,
    path: projectPath,
    environment: input.environment,
    findings,
    counts,
    score: scoreFindings(findings),
    blocked: counts.BLOCKER > 0,
    checks,
    profile: { languages: ctx.languages, webApp: ctx.webApp, service: ctx.service },
  };
}
